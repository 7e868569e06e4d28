"""The posts panels on the home page: today's posts at the gate for school staff, and the
way to the coverage, the verification queue and the police board."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF
from campussafety.panels import (
    FILE_SECTION_TEMPLATE,
    SCHOOL_FILE,
    FileSection,
    ObjectPanel,
    Panel,
    TodayItem,
)
from posts.choices import Period
from posts.models import DutyLog, PostPeriod
from posts.views.today import todays_posts
from schools.calendar import school_days
from schools.models import School


def posts_today(section):
    # Today's posts with their one-tap "log as rostered" buttons, right on the home page.
    schools = School.objects.for_user(section.user, roles={section.role})
    return {"posts_today": todays_posts(section.user, schools, section.today)}


PANELS = [
    # Logging the morning post is the first thing done at the gate: before the school card.
    Panel(SCHOOL_STAFF, "posts/_home_today.html", posts_today, order=10),
    Panel(
        frozenset({Role.ADMIN, Role.CITY_STAFF, Role.DISTRICT_STAFF}),
        "posts/_home_bureau.html",
        order=20,
    ),
    Panel(frozenset({Role.POLICE_LIAISON}), "posts/_home_police.html", order=10),
]


def morning_unlogged(user, schools, now, limit):
    """Required morning post periods already begun today and not logged, at schools open
    today: the school days (three queries) and the periods (one), whatever the number."""
    today = timezone.localdate(now)
    open_today = {pk for pk, days in school_days(schools, today, today).items() if days}
    periods = (
        PostPeriod.objects.filter(
            post__school__in=schools.order_by().values("pk"),
            post__is_active=True,
            is_required=True,
            period=Period.MORNING,
            start_time__lte=timezone.localtime(now).time(),
        )
        .exclude(Exists(DutyLog.objects.filter(post_period=OuterRef("pk"), date=today)))
        .order_by("start_time", "post__school__name", "post__name")
        .values_list("post__school_id", "post__school__name", "post__name", "start_time")
    )
    unlogged = [row for row in periods if row[0] in open_today]
    logs = reverse("posts:logs")
    rows = [
        {
            "school": school_name,
            "what": post_name,
            "when": start.strftime("%H:%M"),
            "url": f"{logs}?school={school_id}&date={today.isoformat()}",
        }
        for school_id, school_name, post_name, start in unlogged[:limit]
    ]
    return len(unlogged), rows


TODAY = [
    TodayItem(
        "posts.morning_unlogged", _("Posts not yet logged this morning"), morning_unlogged, order=10
    ),
]


def file_members(user, school):
    """The school file's posts and members: who is assigned today, masked as in the registry
    (phones in full only where the registry shows them in full). Three queries."""
    from django.utils import timezone
    from django.utils.translation import gettext_lazy as _

    from posts.exports import member_rows
    from posts.models import MemberAssignment, Post
    from posts.templatetags.posts_extras import shown_phone

    today = timezone.localdate()
    members = list(
        member_rows(user)
        .filter(
            pk__in=MemberAssignment.objects.filter(
                MemberAssignment.active_on(today), school=school
            ).values("member_id")
        )
        .order_by("kind", "name")
    )
    posts = list(Post.objects.for_user(user).filter(school=school, is_active=True).order_by("name"))
    return FileSection(
        title=_("Protection posts and members"),
        header=[_("Name"), _("Kind"), _("Phone"), _("Certificate valid until"), _("Verification")],
        rows=[
            [
                m.name,
                m.get_kind_display(),
                shown_phone(m),
                m.guard_certificate_expiry or "",
                m.get_verification_status_display(),
            ]
            for m in members
        ],
        empty=_("No post member is assigned."),
        url=_("Posts: %(posts)s") % {"posts": "、".join(post.name for post in posts) or "—"},
    ).as_context()


OBJECT_PANELS = [ObjectPanel(SCHOOL_FILE, FILE_SECTION_TEMPLATE, file_members, order=10)]

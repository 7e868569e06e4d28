"""The posts panels on the home page: today's posts at the gate for school staff, and the
way to the coverage, the verification queue and the police board."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scope import SCHOOL_STAFF
from campussafety.panels import Panel, TodayItem
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

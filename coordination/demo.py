"""The coordination demo step: security meetings at each level with open and done items,
a handful of instability factors per district (police only, a few shared with the
district), and legal vice-presidents with a year of activities, written in bulk.

Deterministic for a seed (ctx.rng). The city holds a quarterly meeting naming every
district; each district a monthly one; principal1's school its monthly meeting. Each
meeting's decision has action items for schools, the older ones mostly done, one of
principal1's open and one overdue, so the home page and the reminders have something.
The city's cadence is its own data (quarterly for the city, monthly for the districts,
counted from the first meeting shown), and the first district skipped last month's
meeting: the cadence page shows one missed period and its staff are reminded once.
Most schools have a legal vice-president (some none), with 0 to 6 activities this year.
"""

from __future__ import annotations

import datetime

from accounts.choices import Role
from accounts.models import RoleAssignment
from campussafety.demo import Step, register
from coordination.choices import ActivityType, Audience, FactorCategory, Level, Organisation
from coordination.models import (
    ActionEvidence,
    ActionItem,
    Activity,
    Appointment,
    Decision,
    Factor,
    FactorShare,
    Meeting,
    MeetingAttendee,
    MeetingCadence,
)
from coordination.services import count_towards_cadence
from schools.choices import Basis
from schools.models import ObligationCompletion, ObligationWindow, School
from schools.obligations import periods

# Of the schools: this many have no legal vice-president at all.
WITHOUT_VP = 0.08
FACTORS_PER_DISTRICT = 5
ACTIONS = (
    "校门口加装防冲撞设施",
    "完善上下学护学岗",
    "排查周边无证摊贩",
    "更新视频监控",
    "开展防欺凌专题教育",
)
FACTORS = {
    FactorCategory.DISPUTE: "家长因学生受伤赔偿问题与学校存在纠纷",
    FactorCategory.PERSON: "校门口附近有精神异常人员多次徘徊",
    FactorCategory.TRAFFIC: "校门前路口无信号灯，放学时段车流量大",
    FactorCategory.CONSTRUCTION: "学校东侧道路施工，围挡不全",
    FactorCategory.PROTEST: "周边小区业主维权聚集，途经学校门口",
}
VP_NAMES = "张李王刘陈杨赵黄周吴"
# The months of district meetings shown, the current one included.
DISTRICT_MONTHS = 6
# The month (back from the current one) the first district skipped: a missed period.
SKIPPED_MONTH = 1
CADENCE_SOURCE = "滨州市校园安全联席会议制度（演示数据） / The city's meeting rules (demo data)"


def _months_back(today, n):
    day = today.replace(day=1)
    for _ in range(n):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def _meeting_with_items(ctx, rng, meeting, owners, today):
    """Save a meeting, its attendees, one decision and an item per owner school."""
    meeting.save()
    MeetingAttendee.objects.bulk_create(
        [
            MeetingAttendee(meeting=meeting, name="刘科长", organisation="教育局"),
            MeetingAttendee(meeting=meeting, name="王所长", organisation="派出所"),
            MeetingAttendee(meeting=meeting, name="陈主任", organisation="综治办"),
        ]
    )
    decision = Decision.objects.create(meeting=meeting, text="加强校园及周边安全防范，落实整改")
    items = []
    for school in owners:
        due = meeting.held_on + datetime.timedelta(days=rng.randint(7, 30))
        items.append(
            ActionItem(
                meeting=meeting,
                decision=decision,
                title=rng.choice(ACTIONS),
                owner_school=school,
                due_on=due,
                status="done" if due < today and rng.random() < 0.8 else "open",
            )
        )
    ActionItem.objects.bulk_create(items)
    ActionEvidence.objects.bulk_create(
        [
            ActionEvidence(item=item, note="已整改完毕，附现场照片")
            for item in items
            if item.status == "done"
        ]
    )
    return items


def seed_coordination(ctx) -> str:
    rng = ctx.rng("coordination")
    today = ctx.today
    schools = list(ctx.schools or School.objects.select_related("district"))
    by_district = {}
    for school in schools:
        by_district.setdefault(school.district_id, []).append(school)
    districts = {s.district_id: s.district for s in schools}
    city = ctx.city or next(iter(districts.values())).city
    meetings = 0
    # The city's quarterly meetings over the last year, naming every district.
    for quarter in range(4):
        held = _months_back(today, 3 * quarter) + datetime.timedelta(days=9)
        held = min(held, today)
        meeting = Meeting(
            level=Level.CITY,
            city=city,
            title=f"全市校园安全联席会议（{held:%Y年%m月}）",
            held_on=held,
        )
        owners = [rng.choice(group) for group in by_district.values()][:5]
        _meeting_with_items(ctx, rng, meeting, owners, today)
        meeting.named_districts.set(list(districts))
        meetings += 1
    _seed_cadence(city, today)
    # Each district's monthly meetings over the last months, but for the one the first
    # district skipped.
    for n, (district_id, group) in enumerate(sorted(by_district.items())):
        for month in range(DISTRICT_MONTHS):
            if n == 0 and month == SKIPPED_MONTH:
                continue
            held = min(_months_back(today, month) + datetime.timedelta(days=4), today)
            meeting = Meeting(
                level=Level.DISTRICT,
                district_id=district_id,
                title=f"{districts[district_id].name}校园安全工作例会",
                held_on=held,
            )
            _meeting_with_items(ctx, rng, meeting, rng.sample(group, min(2, len(group))), today)
            meetings += 1
    # principal1's school: monthly meetings, and one open and one overdue item of its own.
    home = ctx.home_schools.get("principal1") or schools[0]
    for month in range(3):
        held = min(_months_back(today, month) + datetime.timedelta(days=14), today)
        meeting = Meeting(level=Level.SCHOOL, school=home, title="学校安全工作例会", held_on=held)
        _meeting_with_items(ctx, rng, meeting, [home], today)
        count_towards_cadence(meeting)
        meetings += 1
    decision = Decision.objects.filter(meeting__school=home).order_by("-meeting__held_on").first()
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                meeting=decision.meeting,
                decision=decision,
                title="补齐南门防冲撞桩",
                owner_school=home,
                due_on=today + datetime.timedelta(days=2),
            ),
            ActionItem(
                meeting=decision.meeting,
                decision=decision,
                title="修复东侧围墙缺口",
                owner_school=home,
                due_on=today - datetime.timedelta(days=5),
            ),
        ]
    )
    factors = _seed_factors(ctx, rng, by_district, today)
    appointed, activities = _seed_legal(rng, schools, today)
    return (
        f"{meetings} security meetings (one district month missed), {factors} instability factors, "
        f"{appointed} legal vice-presidents with {activities} activities"
    )


def _seed_cadence(city, today) -> None:
    """The city's own cadence rows, counted from the first meeting the demo holds."""
    first_quarter = periods(Basis.QUARTER, _months_back(today, 9), today)[0][0]
    for level, basis, starts_on in (
        (Level.CITY, Basis.QUARTER, first_quarter),
        (Level.DISTRICT, Basis.MONTH, _months_back(today, DISTRICT_MONTHS - 1)),
    ):
        MeetingCadence.objects.create(
            city=city, level=level, basis=basis, starts_on=starts_on, source=CADENCE_SOURCE
        )


def _seed_factors(ctx, rng, by_district, today):
    police = dict(
        RoleAssignment.objects.filter(role=Role.POLICE_LIAISON)
        .order_by("user_id")
        .values_list("police_station_id", "user_id")
    )
    factors = []
    for group in by_district.values():
        for _n in range(min(FACTORS_PER_DISTRICT, len(group))):
            school = rng.choice(group)
            category = rng.choice(list(FACTORS))
            factors.append(
                Factor(
                    school=school,
                    category=category,
                    risk=rng.choice((1, 2, 2, 3)),
                    description=FACTORS[category],
                    place=rng.choice(("南门", "东侧道路", "校门口路口", "后门")),
                    measures="民警上下学时段驻守，已建立联系人台账",
                    responsible_unit="派出所",
                    review_on=today + datetime.timedelta(days=rng.randint(-5, 30)),
                    reported_by_id=police.get(school.police_station_id),
                )
            )
    Factor.objects.bulk_create(factors)
    FactorShare.objects.bulk_create(
        [
            FactorShare(
                factor=factor,
                district_id=factor.school.district_id,
                shared_by_id=factor.reported_by_id,
            )
            # The police share the high risks, and a few others, with the district.
            for n, factor in enumerate(factors)
            if factor.risk == 3 or n % 3 == 0
        ]
    )
    return len(factors)


def _seed_legal(rng, schools, today):
    appointments = []
    for school in schools:
        if rng.random() < WITHOUT_VP:
            continue
        appointments.append(
            Appointment(
                school=school,
                name=f"{rng.choice(VP_NAMES)}警官",
                organisation=rng.choice(
                    (
                        Organisation.POLICE,
                        Organisation.POLICE,
                        Organisation.COURT,
                        Organisation.PROCURATORATE,
                        Organisation.JUSTICE,
                    )
                ),
                unit=school.district.name + "公安分局",
                phone=f"139{rng.randint(0, 99999999):08d}",
                starts_on=today.replace(month=1, day=1) - datetime.timedelta(days=365),
            )
        )
    Appointment.objects.bulk_create(appointments, batch_size=1000)
    activities = []
    start = today.replace(month=1, day=1)
    span = max((today - start).days, 1)
    for appointment in appointments:
        for _n in range(rng.randint(0, 6)):
            activities.append(
                Activity(
                    school_id=appointment.school_id,
                    appointment=appointment,
                    held_on=start + datetime.timedelta(days=rng.randrange(span)),
                    activity_type=rng.choice(ActivityType.values),
                    audience=rng.choice(Audience.values),
                    participants=rng.randint(30, 800),
                )
            )
    Activity.objects.bulk_create(activities, batch_size=2000)
    return len(appointments), len(activities)


def reset_coordination() -> None:
    ObligationCompletion.objects.filter(source__startswith="coordination.").delete()
    ObligationWindow.objects.filter(rule__domain="coordination").delete()
    Meeting.objects.all().delete()
    # The cities' own cadence; the national defaults stay.
    MeetingCadence.objects.filter(city__isnull=False).delete()
    Factor.objects.all().delete()
    Activity.objects.all().delete()
    Appointment.objects.all().delete()


register(
    Step(
        "coordination",
        seed_coordination,
        reset_coordination,
        # Meetings and factors name the schools and the police liaisons' accounts.
        after=("organisation", "accounts", "calendar"),
    )
)

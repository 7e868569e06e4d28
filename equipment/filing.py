"""The technical-defence installation table (技防设施情况表) a district files, with the
district's summary: one row per school, the pieces held of each technical-defence type of
the catalogue (and how many are faulty), the cameras of its latest video check and the day
of its latest alarm test; then the district's totals. Five queries whatever the schools.

Written by the shared export machinery (campussafety/exports.py) as .xlsx or CSV.
"""

from django.db.models import Max, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import BUREAU
from campussafety.exports import Column, Table
from equipment.choices import Category
from equipment.models import AlarmTest, EquipmentType, StockBalance, VideoCheck
from schools.models import District, School


def defence_types(city_id):
    """The technical-defence types of the city's catalogue (its own, else the national)."""
    return list(
        EquipmentType.objects.filter(
            Q(city_id=city_id) | Q(city__isnull=True),
            category=Category.TECHNICAL_DEFENCE,
            is_active=True,
        )
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


def installation_rows(school_ids, type_ids):
    """{school: {type: (held, faulty)}}, {school: (cameras, working)}, {school: last test}."""
    held = {}
    for school_id, type_id, pieces, faulty in (
        StockBalance.objects.filter(school_id__in=school_ids, equipment_type_id__in=type_ids)
        .order_by()
        .values_list("school_id", "equipment_type_id")
        .annotate(Sum("held"), Sum("faulty"))
    ):
        held.setdefault(school_id, {})[type_id] = (pieces or 0, faulty or 0)
    cameras = {}
    for school_id, total, working in _latest_video(school_ids):
        cameras[school_id] = (total, working)
    tests = dict(
        AlarmTest.objects.filter(school_id__in=school_ids)
        .order_by()
        .values_list("school_id")
        .annotate(Max("pressed_at"))
    )
    return held, cameras, tests


def _latest_video(school_ids):
    """The latest video check of each school: read newest first, the first one kept
    (portable; DISTINCT ON is PostgreSQL's)."""
    seen = {}
    for school_id, total, working in (
        VideoCheck.objects.filter(school_id__in=school_ids)
        .order_by("school_id", "-checked_at")
        .values_list("school_id", "cameras_total", "cameras_working")
    ):
        seen.setdefault(school_id, (school_id, total, working))
    return seen.values()


def installation_table(user, query) -> Table:
    """?district= (required, in the user's scope as bureau staff)."""
    try:
        district_id = int(query.get("district", ""))
    except ValueError:
        raise Http404 from None
    district = District.objects.for_user(user, roles=BUREAU).filter(pk=district_id).first()
    if district is None:
        raise Http404
    types = defence_types(district.city_id)
    type_ids = [pk for pk, _name in types]
    schools = list(
        School.objects.for_user(user, roles=BUREAU)
        .filter(district=district)
        .order_by("name")
        .values_list("pk", "name")
    )
    held, cameras, tests = installation_rows([pk for pk, _name in schools], type_ids)
    rows = []
    for pk, name in schools:
        pieces = held.get(pk, {})
        total, working = cameras.get(pk, (0, 0))
        last_test = tests.get(pk)
        rows.append(
            [
                name,
                *(pieces.get(type_id, (0, 0))[0] for type_id in type_ids),
                sum(faulty for _held, faulty in pieces.values()),
                total,
                working,
                timezone.localdate(last_test) if last_test else "",
            ]
        )
    numbers = len(type_ids) + 3
    summary = [_("District total"), *(sum(row[i + 1] for row in rows) for i in range(numbers))]
    summary.append("")
    headers = [
        *(name for _pk, name in types),
        gettext_lazy("Faulty pieces"),
        gettext_lazy("Cameras"),
        gettext_lazy("Cameras working"),
        gettext_lazy("Last alarm test"),
    ]
    return Table(
        name=f"technical-defence-{district.code}",
        title=_("Technical defence installations · %(district)s") % {"district": district.name},
        model=StockBalance,
        rows=[*rows, summary],
        columns=[
            Column(gettext_lazy("School"), lambda row: row[0]),
            *(Column(header, lambda row, i=i: row[i + 1]) for i, header in enumerate(headers)),
        ],
    )

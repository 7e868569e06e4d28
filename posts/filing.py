"""The security staff table (安保人员情况统计表) a district files: one row per school of the
district, its post members in force on the day counted by kind, the licensed guards and the
valid guard certificates, and the district's total. Two queries whatever the schools.

Written by the shared export machinery (campussafety/exports.py) as .xlsx or CSV.
"""

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import BUREAU
from campussafety.dates import query_date
from campussafety.exports import Column, Table
from posts.choices import MemberKind, VerificationStatus
from posts.models import Member, MemberAssignment
from schools.models import District, School

KINDS = list(MemberKind)


def staff_counts(school_ids, day):
    """{school id: {column: count}} of the members assigned on `day`: one GROUP BY."""
    valid = Q(
        member__kind=MemberKind.SECURITY_GUARD,
        member__guard_certificate_expiry__gte=day,
    )
    counts = (
        MemberAssignment.objects.filter(
            MemberAssignment.active_on(day),
            school_id__in=school_ids,
            member__is_active=True,
            member__verification_status=VerificationStatus.VERIFIED,
        )
        .order_by()
        .values("school_id")
        .annotate(
            total=Count("member_id", distinct=True),
            **{
                kind.value: Count("member_id", filter=Q(member__kind=kind), distinct=True)
                for kind in KINDS
            },
            licensed=Count(
                "member_id",
                filter=Q(member__kind=MemberKind.SECURITY_GUARD)
                & ~Q(member__guard_certificate_number=""),
                distinct=True,
            ),
            certificates_valid=Count("member_id", filter=valid, distinct=True),
            qualified=Count(
                "member_id", filter=Member.qualified_condition("member__", day), distinct=True
            ),
        )
    )
    return {row.pop("school_id"): row for row in counts}


COUNT_KEYS = [
    "total",
    *[kind.value for kind in KINDS],
    "licensed",
    "certificates_valid",
    "qualified",
]


def security_staff_table(user, query) -> Table:
    """?district= (required, in the user's scope as bureau staff), ?on= (today by default)."""
    try:
        district_id = int(query.get("district", ""))
    except ValueError:
        raise Http404 from None
    district = District.objects.for_user(user, roles=BUREAU).filter(pk=district_id).first()
    if district is None:
        raise Http404
    day = query_date(query.get("on"), timezone.localdate())
    schools = list(
        School.objects.for_user(user, roles=BUREAU)
        .filter(district=district)
        .order_by("name")
        .values_list("pk", "name")
    )
    counts = staff_counts([pk for pk, _name in schools], day)
    rows = [[name, *(counts.get(pk, {}).get(key, 0) for key in COUNT_KEYS)] for pk, name in schools]
    total = [_("Total"), *(sum(row[i + 1] for row in rows) for i in range(len(COUNT_KEYS)))]
    headers = [
        gettext_lazy("Members"),
        *(kind.label for kind in KINDS),
        gettext_lazy("Licensed security guards"),
        gettext_lazy("Guard certificates valid"),
        gettext_lazy("Qualified (police, auxiliary police, certified guards)"),
    ]
    return Table(
        name=f"security-staff-{district.code}",
        title=_("Security staff table · %(district)s") % {"district": district.name},
        model=Member,
        as_of=day,
        rows=[*rows, total],
        columns=[
            Column(gettext_lazy("School"), lambda row: row[0]),
            *(Column(header, lambda row, i=i: row[i + 1]) for i, header in enumerate(headers)),
        ],
    )

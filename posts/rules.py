"""The staffing rules of a post period: minimum staffing and the qualified share."""

import math
from dataclasses import dataclass
from decimal import Decimal

from posts.choices import CoverageStatus


@dataclass(frozen=True)
class Staffing:
    present: int
    police: int
    qualified: int
    min_members: int
    min_police: int
    share_required: Decimal

    @property
    def meets_staffing(self) -> bool:
        return self.present >= self.min_members and self.police >= self.min_police

    @property
    def meets_qualified_share(self) -> bool:
        # Compared in integers and Decimals: 4 of 5 is exactly 80%, never 79.999%.
        return self.present > 0 and Decimal(self.qualified) >= self.share_required * self.present

    @property
    def qualified_share(self) -> Decimal | None:
        return Decimal(self.qualified) / self.present if self.present else None

    @property
    def is_compliant(self) -> bool:
        return self.meets_staffing and self.meets_qualified_share


def staffing_of(members, post_period, day, share_required) -> Staffing:
    """The staffing `members` (present at `post_period` on `day`) give."""
    members = list(members)
    return Staffing(
        present=len(members),
        police=sum(1 for member in members if member.is_police),
        qualified=sum(1 for member in members if member.is_qualified_on(day)),
        min_members=post_period.min_members,
        min_police=post_period.min_police,
        share_required=share_required,
    )


def coverage_status(required: int, logged: int, compliant: int) -> str:
    """A school day is covered when every required post period has a compliant log,
    partial when some are logged, missed when none is."""
    if not logged:
        return CoverageStatus.MISSED
    if required and compliant >= required:
        return CoverageStatus.COVERED
    return CoverageStatus.PARTIAL


def coverage_status_sql(required: str, logged: str, compliant: str) -> str:
    """coverage_status() as an SQL CASE over the three SQL expressions given, for
    statements that recount coverage in the database (posts/dutylogs.py)."""
    return (
        f"CASE WHEN ({logged}) = 0 THEN '{CoverageStatus.MISSED}' "
        f"WHEN ({required}) > 0 AND ({compliant}) >= ({required}) THEN '{CoverageStatus.COVERED}' "
        f"ELSE '{CoverageStatus.PARTIAL}' END"
    )


@dataclass(frozen=True)
class Check:
    """One staffing rule of a log as people read it: what there was, what it needs, the gap."""

    rule: str  # "members", "police" or "qualified_share"
    actual: str
    required: str
    passed: bool
    shortfall: int  # how many more (members, police, qualified members) it needed


def _at_least(rule: str, actual: int, minimum: int) -> Check:
    return Check(rule, str(actual), str(minimum), actual >= minimum, max(minimum - actual, 0))


def staffing_checks(staffing: Staffing) -> list[Check]:
    """Each rule of `staffing` with its figures, in the order a post is staffed.

    Minimum staffing is two rules (people and police): the verdict names the
    one that failed, so "5 present, at least 4" is never shown as the failure
    when the missing police officer was.
    """
    share = staffing.share_required
    # The smallest number of qualified members that meets the share of those present.
    needed = math.ceil(share * staffing.present) if staffing.present else 1
    shown_share = f"{staffing.qualified_share:.0%}" if staffing.present else "—"
    return [
        _at_least("members", staffing.present, staffing.min_members),
        _at_least("police", staffing.police, staffing.min_police),
        Check(
            "qualified_share",
            f"{staffing.qualified}/{staffing.present} ({shown_share})",
            f"{share:.0%}",
            staffing.meets_qualified_share,
            max(needed - staffing.qualified, 0),
        ),
    ]

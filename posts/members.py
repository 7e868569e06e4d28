"""The member registry's rules, shared by the API's serializers and the HTML forms.

Registering a member, changing who they are, deciding their verification and
putting them in a weekly pattern each follow one rule, whichever door the
request came through: the functions here raise Django's ValidationError (keyed
by field), which the serializers turn into a 400 and the forms into form errors.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from campussafety import audit, personal
from campussafety.errors import Conflict
from posts import notices
from posts.choices import VerificationStatus
from posts.models import Member, MemberAssignment, RosterRule

# Changing who a member is, or what makes them qualified, needs a new
# verification. The ID number counts through its hash: entering the same
# number again changes nothing.
IDENTITY_FIELDS = (
    "name",
    "kind",
    "id_number_hash",
    "police_number",
    "guard_certificate_number",
    "guard_certificate_expiry",
)

# The answer to an ID number that cannot be registered where it was entered,
# whatever the reason: it tells nobody whether the person exists elsewhere.
NOT_REGISTRABLE = _lazy(
    "This ID card number cannot be registered here; the district education bureau has been told."
)

# What a member's verification goes back to when their identity changes.
UNVERIFIED = {
    "verification_status": VerificationStatus.PENDING,
    "verified_by": None,
    "verified_at": None,
    "rejection_reason": "",
}


def identity_values(number: str, member: Member | None = None, *, user=None, school=None) -> dict:
    """The stored forms of a (validated) ID number: its keyed hash and its masked form.

    Refuses a number already registered to someone else; the message never
    repeats the number, which is personal information. Only a user who can
    see that person (the same school, their own district) is told they are
    registered; anyone else gets the answer of any number that cannot be
    registered there, and the district staff of `school` (else of `member`'s
    school), who resolve transfers, are told which person it is.
    """
    digest = personal.hash_id_number(number)
    duplicates = Member.objects.filter(id_number_hash=digest)
    if member is not None and member.pk:
        duplicates = duplicates.exclude(pk=member.pk)
    existing = duplicates.first()
    if existing is None:
        return {"id_number_hash": digest, "id_number_masked": personal.mask_id_number(number)}
    if Member.objects.for_user(user).filter(pk=existing.pk).exists():
        raise ValidationError(
            {
                "id_number": _(
                    "A person with this ID card number is already registered. "
                    "Ask the district education bureau to assign them to your school."
                )
            }
        )
    if school is None and member is not None and member.pk:
        current = member.assignments.filter(MemberAssignment.not_ended()).select_related("school")
        school = next((a.school for a in current), None)
    if school is not None:
        notices.tell_district_registered_elsewhere(existing, school)
    raise ValidationError({"id_number": NOT_REGISTRABLE})


def register(values: dict, school, start=None) -> Member:
    """Create a member from `values` (with identity_values() in them) serving `school`.

    The member and their first assignment are one write: a member who serves
    no school would be seen by nobody but admins.
    """
    with transaction.atomic():
        member = Member.objects.create(**values)
        MemberAssignment.objects.create(
            member=member, school=school, start_date=start or timezone.localdate()
        )
    return member


def reverification(member: Member, values: dict) -> dict:
    """What to add to an update of `member` with `values`.

    A member whose identity changes goes back to pending verification; one
    already pending stays as they are.
    """
    if member.verification_status == VerificationStatus.PENDING:
        return {}
    changed = any(
        field in values and values[field] != getattr(member, field) for field in IDENTITY_FIELDS
    )
    return dict(UNVERIFIED) if changed else {}


def check_decision(decision: str, reason: str) -> None:
    """A rejection must say why; the member and their school read the reason."""
    if decision == VerificationStatus.REJECTED and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the member is rejected.")})


def record_decision(member: Member, user, decision: str, reason: str = "") -> None:
    """Record a verification decision (核验登记): who decided, when, and why a rejection.

    `member` is the member as the decider saw them. Of decisions taken at the
    same time on the same member, the first recorded wins and the others raise
    Conflict: the update only applies while the member's verification is
    still what the decider saw.
    """
    check_decision(decision, reason)
    updated = Member.objects.filter(
        pk=member.pk,
        verification_status=member.verification_status,
        verified_at=member.verified_at,
    ).update(
        verification_status=decision,
        verified_by=user,
        verified_at=timezone.now(),
        rejection_reason=reason.strip() if decision == VerificationStatus.REJECTED else "",
    )
    if not updated:
        raise Conflict(
            _("Someone else decided on this member a moment ago: reload to see their decision.")
        )
    # A conditional update sends no signals: the access log is told here.
    audit.log_change(
        member,
        user,
        {
            "verification_status": (member.verification_status, decision),
            "rejection_reason": (member.rejection_reason, reason.strip()),
        },
    )


def check_roster_rule(post_period, member: Member, weekday: int, rule=None) -> None:
    """May `member` stand `post_period` every `weekday` in the weekly pattern?

    They must be assigned to the post's school today and verified, and must not
    stand another post at an overlapping time on the same weekday. `rule` is
    the rule being changed, which does not clash with itself.
    """
    errors = []
    if not MemberAssignment.objects.filter(
        MemberAssignment.active_on(timezone.localdate()),
        member=member,
        school_id=post_period.post.school_id,
    ).exists():
        errors.append(_("%(name)s is not assigned to this school.") % {"name": member.name})
    if member.verification_status != VerificationStatus.VERIFIED:
        errors.append(_("%(name)s has not been verified.") % {"name": member.name})
    clash = RosterRule.objects.filter(
        member=member,
        weekday=weekday,
        post_period__start_time__lt=post_period.end_time,
        post_period__end_time__gt=post_period.start_time,
    ).exclude(post_period=post_period)
    if rule is not None and rule.pk:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        errors.append(
            _("%(name)s already stands at another post at that time on that weekday.")
            % {"name": member.name}
        )
    if errors:
        raise ValidationError({"member": errors})

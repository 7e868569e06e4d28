"""The hazard ledger's rules: filing a hazard and every move of its lifecycle.

One function per transition. Each one runs inside `write_in_scope` for its
scope action (so the API and the pages get the same access check, in one
place), locks the hazard row, checks the state it expects and writes a
HazardEvent. Two people doing the same thing at once (two re-checks of one
hazard) get one transition; the second raises StateConflict, which the API
answers with 409 and a page shows as a message.

    reported → confirmed | rejected | merged
    confirmed → rectifying → submitted → verified → closed (销号)
    submitted → returned → rectifying

A rectification is re-checked by someone other than whoever submitted it or
answers for it; a major hazard is struck off only once a bureau (the city's,
under a city supervision order) has signed it off.
"""

import datetime
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.scope import ADD, BUREAU, CHANGE, Scope, write_in_scope
from campussafety.errors import Conflict
from inspections.choices import (
    OPEN_STATES,
    UNRECTIFIED_STATES,
    ExtensionStatus,
    HazardEventKind,
    HazardLevel,
    HazardPhotoKind,
    HazardState,
    SupervisionLevel,
)
from inspections.hazard_filing import add_photos, file_report, rules_of, write_event
from inspections.models import (
    DeadlineExtension,
    Hazard,
    SupervisionOrder,
    SupervisionReport,
)
from schools.hazards import HazardReport

S = HazardState
VERIFY, DECIDE, SIGN_OFF, SUPERVISE = "verify", "decide", "sign_off", "supervise"
# The longest reason or note (HazardEvent.note).
NOTE_LENGTH = 2000


class Transition(NamedTuple):
    scope_action: str
    states: tuple


# Each transition: the scope action it needs and the states it starts from.
TRANSITIONS = {
    "confirm": Transition(CHANGE, (S.REPORTED,)),
    "reject": Transition(CHANGE, (S.REPORTED,)),
    "merge": Transition(CHANGE, (S.REPORTED,)),
    "assign": Transition(CHANGE, (S.CONFIRMED, S.RETURNED)),
    "submit": Transition(CHANGE, (S.RECTIFYING,)),
    "return": Transition(VERIFY, (S.SUBMITTED,)),
    "verify": Transition(VERIFY, (S.SUBMITTED,)),
    "sign_off": Transition(SIGN_OFF, (S.VERIFIED,)),
    "close": Transition(VERIFY, (S.VERIFIED,)),
    "extend": Transition(CHANGE, UNRECTIFIED_STATES),
    "supervise": Transition(SUPERVISE, OPEN_STATES),
}


def allowed_actions(user, hazard) -> list[str]:
    """The transitions `user` may start on `hazard` now (for the buttons a page shows);
    the functions below check the same again when one is made. A query per scope action."""
    scope = Scope.of(user)
    may = {}
    names = []
    for name, (action, states) in TRANSITIONS.items():
        if hazard.state not in states:
            continue
        if action not in may:
            may[action] = scope.contains(hazard, action)
        if not may[action]:
            continue
        if name in ("return", "verify") and user.pk in (
            hazard.submitted_by_id,
            hazard.responsible_person_id,
        ):
            continue
        if name == "sign_off" and (
            not hazard.is_major
            or hazard.signed_off_at
            or not scope.contains(hazard, SIGN_OFF, roles=sign_off_roles(hazard))
        ):
            continue
        if name == "close" and hazard.is_major and not hazard.signed_off_at:
            continue
        if name == "supervise" and hazard.supervised:
            continue
        names.append(name)
    return names


class StateConflict(Conflict):
    """The hazard moved on since the user looked at it (another re-check came first)."""

    def __init__(self, hazard: Hazard):
        super().__init__(
            _("This hazard has changed meanwhile: it is now “%(state)s”. Reload it.")
            % {"state": hazard.get_state_display()},
            data={"state": hazard.state},
        )


# -- Filing -----------------------------------------------------------------


def _note(text, field="note", required=False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Give the reason.")})
    if len(text) > NOTE_LENGTH:
        raise ValidationError({field: _("At most %(count)s characters.") % {"count": NOTE_LENGTH}})
    return text


def register(
    user,
    school,
    *,
    description,
    category,
    level,
    place="",
    checkpoint=None,
    interim_measures="",
    photos=(),
    found_at=None,
) -> Hazard:
    """Direct registration by school staff, police or bureau staff."""
    report = HazardReport(
        school=school,
        description=description,
        category=category,
        level=level,
        place=place,
        origin="direct",
        reported_by=user,
        found_at=found_at,
        extra={"checkpoint": checkpoint, "interim_measures": interim_measures, "photos": photos},
    )
    if found_at and found_at > timezone.now():
        raise ValidationError({"found_at": _("A hazard cannot be found in the future.")})
    return write_in_scope(user, ADD, lambda: file_report(report))


# -- Transitions ------------------------------------------------------------


def _move(
    user,
    hazard,
    transition: Transition,
    to_state,
    kind,
    note="",
    apply=None,
    photos=(),
    photo_kind=HazardPhotoKind.PROGRESS,
) -> Hazard:
    """Lock the hazard, check it is in one of the transition's states, `apply(locked, now)`,
    move it to `to_state` (None: stay), and write the event, in the user's scope for the
    transition's action."""
    action, expected = transition

    def write():
        now = timezone.now()
        locked = (
            Hazard.objects.select_for_update(of=("self",))
            .select_related("school")
            .get(pk=hazard.pk)
        )
        if locked.state not in expected:
            raise StateConflict(locked)
        if apply is not None:
            apply(locked, now)
        from_state = locked.state
        if to_state is not None:
            locked.state = to_state
        locked.save()
        event = write_event(
            locked,
            kind,
            user,
            now,
            note,
            from_state,
            locked.state if to_state is not None else "",
        )
        add_photos(locked, photo_kind, photos, user, event, now)
        return locked

    return write_in_scope(user, action, write)


def _default_deadline(hazard, now) -> datetime.date:
    order = hazard.supervision_orders.filter(lifted_at__isnull=True).first()
    if order is not None:
        return order.deadline
    days = rules_of(hazard.school).deadline_days(hazard.level)
    return timezone.localdate(now) + datetime.timedelta(days=days)


def _check_deadline(deadline, now):
    if deadline is not None and deadline < timezone.localdate(now):
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})


def confirm(user, hazard, *, level=None, deadline=None, note="") -> Hazard:
    """It is a hazard: it goes on the ledger to be rectified, with a deadline (by default
    the city's for its level, or the supervision order's)."""
    note = _note(note)

    def apply(locked, now):
        if level:
            locked.level = HazardLevel(level)
        _check_deadline(deadline, now)
        locked.deadline = deadline or locked.deadline or _default_deadline(locked, now)

    return _move(
        user, hazard, TRANSITIONS["confirm"], S.CONFIRMED, HazardEventKind.CONFIRMED, note, apply
    )


def reject(user, hazard, reason) -> Hazard:
    """Not a hazard: off the ledger, with the reason kept."""
    reason = _note(reason, "reason", required=True)
    return _move(user, hazard, TRANSITIONS["reject"], S.REJECTED, HazardEventKind.REJECTED, reason)


def merge(user, hazard, into: Hazard, note="") -> Hazard:
    """A duplicate of `into`, an open hazard of the same school."""
    note = _note(note)
    if into.pk == hazard.pk:
        raise ValidationError({"duplicate_of": _("A hazard cannot duplicate itself.")})
    if into.school_id != hazard.school_id:
        raise ValidationError({"duplicate_of": _("That hazard is at another school.")})
    if into.state not in OPEN_STATES:
        raise ValidationError({"duplicate_of": _("That hazard is no longer open.")})

    def apply(locked, now):
        locked.duplicate_of = into

    return _move(user, hazard, TRANSITIONS["merge"], S.MERGED, HazardEventKind.MERGED, note, apply)


def start_rectifying(
    user,
    hazard,
    *,
    responsible_person=None,
    responsible_unit=None,
    measures=None,
    funds=None,
    deadline=None,
    interim_measures=None,
    note="",
) -> Hazard:
    """Assign the rectification (who, what, with what money, by when) and start it;
    also how a returned hazard goes back to work."""
    note = _note(note)
    if responsible_person is not None and not Scope.of(responsible_person).contains(hazard, CHANGE):
        raise ValidationError(
            {"responsible_person": _("This person does not work on this school's hazards.")}
        )

    def apply(locked, now):
        _check_deadline(deadline, now)
        for field, value in (
            ("responsible_person", responsible_person),
            ("responsible_unit", responsible_unit),
            ("measures", measures),
            ("funds", funds),
            ("deadline", deadline),
            ("interim_measures", interim_measures),
        ):
            if value is not None:
                setattr(locked, field, value)
        locked.deadline = locked.deadline or _default_deadline(locked, now)
        locked.full_clean(
            exclude=["school", "checkpoint", "round", "answer"],
            validate_unique=False,
            validate_constraints=False,
        )

    return _move(
        user,
        hazard,
        TRANSITIONS["assign"],
        S.RECTIFYING,
        HazardEventKind.ASSIGNED,
        note,
        apply,
    )


def submit(user, hazard, *, rectification, photos, note="") -> Hazard:
    """The rectification is done: how, with at least one "after" photo, for re-checking."""
    rectification = _note(rectification, "rectification", required=True)
    if not photos:
        raise ValidationError({"photos": _("Add a photo of the place after rectification.")})

    def apply(locked, now):
        locked.rectification = rectification
        locked.submitted_by, locked.submitted_at = user, now
        locked.verified_by = locked.verified_at = None

    return _move(
        user,
        hazard,
        TRANSITIONS["submit"],
        S.SUBMITTED,
        HazardEventKind.SUBMITTED,
        _note(note),
        apply,
        photos,
        HazardPhotoKind.AFTER,
    )


def return_for_work(user, hazard, reason, photos=()) -> Hazard:
    """The re-check found it not done: back to the school with the reason."""
    reason = _note(reason, "reason", required=True)

    def apply(locked, now):
        _not_own_work(user, locked)

    return _move(
        user,
        hazard,
        TRANSITIONS["return"],
        S.RETURNED,
        HazardEventKind.RETURNED,
        reason,
        apply,
        photos,
    )


def _not_own_work(user, hazard):
    if user.pk in (hazard.submitted_by_id, hazard.responsible_person_id):
        raise PermissionDenied(
            _("A rectification is re-checked by someone other than whoever carried it out.")
        )


def verify(user, hazard, note="", photos=()) -> Hazard:
    """The re-check: by someone other than the submitter or the responsible person."""
    note = _note(note)

    def apply(locked, now):
        _not_own_work(user, locked)
        locked.verified_by, locked.verified_at = user, now

    return _move(
        user,
        hazard,
        TRANSITIONS["verify"],
        S.VERIFIED,
        HazardEventKind.VERIFIED,
        note,
        apply,
        photos,
    )


def sign_off_roles(hazard) -> frozenset:
    """Who may sign off a major hazard: the bureau; under a city order, the city.

    No query for a hazard under no order (the `supervised` flag is kept with the
    open order), and none where the page prefetched the orders (.all() reads them).
    """
    if not hazard.supervised:
        return BUREAU
    if any(
        order.lifted_at is None and order.level == SupervisionLevel.CITY
        for order in hazard.supervision_orders.all()
    ):
        return frozenset({Role.CITY_STAFF})
    return BUREAU


def sign_off(user, hazard, note="") -> Hazard:
    """The bureau's sign-off a major hazard needs before it is struck off."""
    note = _note(note)

    def apply(locked, now):
        if not locked.is_major:
            raise ValidationError(_("Only a major hazard needs the bureau's sign-off."))
        if locked.signed_off_at is not None:
            raise StateConflict(locked)
        if not Scope.of(user).contains(locked, SIGN_OFF, roles=sign_off_roles(locked)):
            raise PermissionDenied(_("This hazard is signed off by the city's education bureau."))
        locked.signed_off_by, locked.signed_off_at = user, now

    return _move(
        user, hazard, TRANSITIONS["sign_off"], None, HazardEventKind.SIGNED_OFF, note, apply
    )


def close(user, hazard, note="") -> Hazard:
    """Strike it off (销号): re-checked, with an "after" photo; a major one signed off.
    An open supervision order is lifted with it."""
    note = _note(note)

    def apply(locked, now):
        if not locked.verified_at:
            raise ValidationError(_("The rectification has not been re-checked."))
        if not locked.photos.filter(kind=HazardPhotoKind.AFTER).exists():
            raise ValidationError(_("A photo after rectification is needed."))
        if locked.is_major and not locked.signed_off_at:
            raise ValidationError(
                _("A major hazard is struck off only with the bureau's sign-off.")
            )
        locked.closed_at = now
        if locked.supervised:
            SupervisionOrder.objects.filter(hazard=locked, lifted_at__isnull=True).update(
                lifted_at=now, lifted_by=user, lift_note=_("Struck off")
            )
            locked.supervised = False

    return _move(user, hazard, TRANSITIONS["close"], S.CLOSED, HazardEventKind.CLOSED, note, apply)


# -- Deadline extensions ----------------------------------------------------


def request_extension(user, hazard, *, new_deadline, reason) -> DeadlineExtension:
    """Ask for more time, with a reason; the principal decides (a major hazard: the bureau)."""
    reason = _note(reason, "reason", required=True)
    if new_deadline <= timezone.localdate():
        raise ValidationError({"new_deadline": _("The new deadline must be in the future.")})
    created = []

    def apply(locked, now):
        if locked.deadline and new_deadline <= locked.deadline:
            raise ValidationError({"new_deadline": _("The new deadline must be later.")})
        if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise Conflict(_("An extension of this hazard is already awaiting a decision."))
        created.append(
            DeadlineExtension.objects.create(
                hazard=locked,
                requested_by=user,
                requested_at=now,
                reason=reason,
                previous_deadline=locked.deadline,
                new_deadline=new_deadline,
            )
        )

    _move(
        user,
        hazard,
        TRANSITIONS["extend"],
        None,
        HazardEventKind.EXTENSION_REQUESTED,
        reason,
        apply,
    )
    return created[0]


def extension_deciders(hazard) -> frozenset | None:
    """Who may decide a deadline extension: of a major hazard, the bureau; otherwise
    whoever may decide on the hazard (the principal and the bureau)."""
    return BUREAU if hazard.is_major else None


def decide_extension(user, extension, *, approve: bool, note="") -> DeadlineExtension:
    """Approve (the hazard's deadline moves) or refuse a pending request; kept in the history."""
    note = _note(note)

    def apply(locked, now):
        row = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
        if row.status != ExtensionStatus.PENDING:
            raise Conflict(_("This request has already been decided."))
        deciders = extension_deciders(locked)
        if deciders and not Scope.of(user).contains(locked, DECIDE, roles=deciders):
            raise PermissionDenied(_("A major hazard's extension is decided by the bureau."))
        row.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        row.decided_by, row.decided_at, row.decision_note = user, now, note[:500]
        row.save()
        if approve:
            locked.deadline = row.new_deadline

    kind = HazardEventKind.EXTENSION_APPROVED if approve else HazardEventKind.EXTENSION_REFUSED
    _move(user, extension.hazard, Transition(DECIDE, OPEN_STATES), None, kind, note, apply)
    extension.refresh_from_db()
    return extension


# -- Supervision (挂牌督办) ---------------------------------------------------


def supervise(
    user,
    hazard,
    *,
    level,
    measures,
    responsibility,
    funds,
    deadline,
    contingency_plan,
    report_every_days=None,
) -> SupervisionOrder:
    """A bureau puts an open hazard under supervision with the five fixed items; the
    order's deadline becomes the hazard's."""
    level = SupervisionLevel(level)
    roles = {Role.CITY_STAFF} if level == SupervisionLevel.CITY else BUREAU
    created = []

    def apply(locked, now):
        _check_deadline(deadline, now)
        if not Scope.of(user).contains(locked, SUPERVISE, roles=roles):
            raise PermissionDenied(_("Only the city's education bureau supervises at city level."))
        if locked.supervised:
            raise Conflict(_("This hazard is already under supervision."))
        order = SupervisionOrder(
            hazard=locked,
            level=level,
            measures=measures,
            responsibility=responsibility,
            funds=funds,
            deadline=deadline,
            contingency_plan=contingency_plan,
            report_every_days=report_every_days or rules_of(locked.school).report_every_days,
            issued_by=user,
            issued_at=now,
        )
        order.full_clean(exclude=["hazard", "issued_by"], validate_constraints=False)
        order.save()
        created.append(order)
        locked.supervised = True
        locked.deadline = deadline

    _move(user, hazard, TRANSITIONS["supervise"], None, HazardEventKind.SUPERVISED, "", apply)
    return created[0]


def report_progress(user, order, *, progress, photos=()) -> SupervisionReport:
    """The school's progress report on a supervised hazard."""
    progress = _note(progress, "progress", required=True)
    created = []

    def apply(locked, now):
        if not SupervisionOrder.objects.filter(pk=order.pk, lifted_at__isnull=True).exists():
            raise Conflict(_("This supervision has been lifted."))

    def write():
        hazard = _move(
            user,
            order.hazard,
            Transition(CHANGE, OPEN_STATES),
            None,
            HazardEventKind.PROGRESS,
            progress,
            apply,
            photos,
        )
        event = hazard.events.order_by("-pk").first()
        created.append(
            SupervisionReport.objects.create(
                order=order, event=event, reported_by=user, reported_at=event.at, progress=progress
            )
        )
        return hazard

    write_in_scope(user, CHANGE, write)
    return created[0]


def lift_supervision(user, order, note="") -> SupervisionOrder:
    note = _note(note)

    def apply(locked, now):
        updated = SupervisionOrder.objects.filter(pk=order.pk, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=user, lift_note=note[:500]
        )
        if not updated:
            raise Conflict(_("This supervision has already been lifted."))
        locked.supervised = False

    _move(
        user,
        order.hazard,
        Transition(SUPERVISE, tuple(S)),
        None,
        HazardEventKind.LIFTED,
        note,
        apply,
    )
    order.refresh_from_db()
    return order

"""Recording a movement from a form or an API request: the one entry both call.

Which fields a kind of movement needs is decided here and in the ledger's
services (equipment/services.py), never in a form or a serializer, so the page
and the API refuse the same input with the same message.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from equipment.choices import MovementKind
from equipment.services import MOVES, receive, record

# Fields only a receipt of a piece tracked one by one carries.
RECEIPT_FIELDS = ("asset_tag", "serial_number", "manufactured_on", "acquired_on")


def record_movement(
    user,
    kind: str,
    *,
    location=None,
    equipment_type=None,
    item=None,
    quantity: int = 1,
    to_location=None,
    reason: str = "",
    report: str = "",
    happened_at=None,
    **receipt,
):
    """Record one movement of any kind through the ledger; ValidationError names the field."""
    if kind == MovementKind.RECEIVED:
        if item is not None:
            raise ValidationError({"item": _("A receipt brings new stock: name its type.")})
        if location is None or equipment_type is None:
            raise ValidationError(_("Name where the stock arrives and its type."))
        if to_location is not None:
            raise ValidationError(
                {
                    "to_location": _(
                        "Issues and transfers, and only they, name where the stock goes."
                    )
                }
            )
        return receive(
            user,
            location,
            equipment_type,
            quantity,
            reason=reason,
            happened_at=happened_at,
            **{name: value for name, value in receipt.items() if value},
        )
    if any(receipt.get(name) for name in RECEIPT_FIELDS):
        raise ValidationError(_("Tags and dates are given when a piece is received."))
    if item is None and (location is None or equipment_type is None):
        raise ValidationError(_("Name the piece, or a type and the place it is at."))
    if item is not None and (
        (location is not None and location.pk != item.location_id)
        or (equipment_type is not None and equipment_type.pk != item.equipment_type_id)
    ):
        raise ValidationError({"item": _("This piece is not of that type at that place.")})
    return record(
        user,
        kind,
        location=None if item is not None else location,
        equipment_type=None if item is not None else equipment_type,
        item=item,
        quantity=quantity,
        to_location=to_location,
        reason=reason,
        report=report,
        happened_at=happened_at,
    )


def kinds_using(field: str) -> list[str]:
    """The kinds of movement a form field applies to (the form shows it only for them)."""
    if field in RECEIPT_FIELDS:
        return [MovementKind.RECEIVED]
    if field == "to_location":
        return list(MOVES)
    if field == "report":
        return [MovementKind.LOST]
    if field == "item":
        return [kind for kind in MovementKind if kind != MovementKind.RECEIVED]
    return list(MovementKind)

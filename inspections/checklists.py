"""Publishing checklist versions: items are never edited in place, so records keep their version."""

from django.db import transaction
from django.db.models import Max

from inspections.models import ChecklistItem, ChecklistTemplate, ChecklistVersion

ITEM_FIELDS = (
    "text",
    "answer_type",
    "min_value",
    "max_value",
    "unit",
    "correctable_on_spot",
    "hazard_category",
    "hazard_level",
    "checkpoint_kinds",
    "points",
    "source",
)


def publish_version(template: ChecklistTemplate, items: list[dict], note: str = ""):
    """A new version of `template` with `items` (dicts of ITEM_FIELDS), numbered after the last.

    The template row is locked, so two editors publishing at once get
    consecutive numbers instead of a clash. Each item is validated first;
    nothing is saved if one is wrong.
    """
    built = [ChecklistItem(position=n, **item) for n, item in enumerate(items, start=1)]
    for item in built:
        item.full_clean(exclude=["version"], validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        ChecklistTemplate.objects.select_for_update(of=("self",)).filter(pk=template.pk).first()
        last = template.versions.aggregate(last=Max("number"))["last"] or 0
        version = ChecklistVersion.objects.create(template=template, number=last + 1, note=note)
        for item in built:
            item.version = version
        ChecklistItem.objects.bulk_create(built)
    return version


def revise(template: ChecklistTemplate, note: str = "", **changes_by_position):
    """Publish the current items again with some changed: position → dict of new field values."""
    current = template.current_version
    items = [
        {field: getattr(item, field) for field in ITEM_FIELDS}
        | changes_by_position.get(str(item.position), {})
        for item in current.items.all()
    ]
    return publish_version(template, items, note)

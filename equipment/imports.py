"""Importing a school's equipment from its own spreadsheet (.xlsx or .csv), and exporting it.

One row is one piece tracked one by one (its asset tag), or the count of an
untracked type at a place. The import is planned first (the dry run: what each
row would do, or why it cannot), then committed all at once or not at all.
Everything it writes goes through the ledger (services.receive), so the
history says who imported what and when. Importing the same file again changes
nothing: a piece is known by its asset tag at the school, and a count states
how many the place holds, so only what is missing is received.
"""

import csv
import datetime
import io
from collections import Counter
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from accounts.scope import ADD, OutOfScope, Scope, write_in_scope
from campussafety.dates import check_date_bounds
from campussafety.exports import log_download
from campussafety.spreadsheets import FORMULA_STARTS, add_sheet, safe_cell, xlsx_response
from equipment.choices import LocationKind
from equipment.models import EquipmentType, Item, Location, StockBalance
from equipment.services import Receipt, receive_many

# (key, header): the header is written in the user's language and read in any.
COLUMNS = (
    ("asset_tag", gettext_lazy("Asset tag")),
    ("type", gettext_lazy("Type code")),
    ("location", gettext_lazy("Location")),
    ("location_kind", gettext_lazy("Location kind")),
    ("quantity", gettext_lazy("Quantity")),
    ("serial_number", gettext_lazy("Serial number")),
    ("manufactured_on", gettext_lazy("Manufactured on")),
    ("acquired_on", gettext_lazy("Acquired on")),
)
LANGUAGES = ("en", "zh-hans")
MAX_ROWS = 20_000
# A count on one row, and the pieces tracked one by one a file may bring: each such
# piece is a record of its own, so a typo must not create millions.
MAX_QUANTITY = 10_000
MAX_PIECES = 20_000
PREVIEW_ROWS = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FORMATS = ("xlsx", "csv")
# What a row does when committed.
NEW_PIECE, TOP_UP, UNCHANGED = "new_piece", "top_up", "unchanged"
ACTIONS = {
    NEW_PIECE: gettext_lazy("New piece"),
    TOP_UP: gettext_lazy("Receive the missing pieces"),
    UNCHANGED: gettext_lazy("Already recorded"),
}


@dataclass
class Row:
    number: int
    values: dict
    action: str = ""
    quantity: int = 0
    errors: list = field(default_factory=list)
    equipment_type: EquipmentType | None = None
    location: Location | None = None

    @property
    def action_label(self):
        return ACTIONS.get(self.action, "")


@dataclass
class Plan:
    rows: list
    new_locations: dict

    @property
    def errors(self):
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def preview(self) -> list:
        """What a page shows: every row with errors, else the first rows."""
        return self.errors or self.rows[:PREVIEW_ROWS]

    def counts(self) -> dict:
        return dict(Counter(row.action for row in self.rows if not row.errors))


def header_keys() -> dict[str, str]:
    """Every accepted header text (a key, or its label in any language) → its key."""
    keys = {}
    for key, label in COLUMNS:
        keys[key] = key
        for language in LANGUAGES:
            with translation.override(language):
                keys[str(label).strip().lower()] = key
    return keys


def read_upload(upload) -> list[dict]:
    """The rows of an uploaded file (a form's or the API's), refused over MAX_UPLOAD_BYTES."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    return read_table(upload.name, upload.read())


def read_table(name: str, content: bytes) -> list[dict]:
    """The rows of an .xlsx or .csv as {key: text or value}; ValidationError if unreadable."""
    extension = name.rsplit(".", 1)[-1].lower()
    if extension not in FORMATS:
        raise ValidationError(_("Upload an .xlsx or .csv file."))
    try:
        if extension == "csv":
            # Excel on Chinese Windows saves CSV in GB 18030; others in UTF-8 (maybe with a BOM).
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = content.decode("gb18030")
            dataset = tablib.Dataset().load(text, format="csv")
        else:
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's fault
        raise ValidationError(_("The file could not be read as a spreadsheet.")) from exc
    known = header_keys()
    headers = [known.get(str(h or "").strip().lower()) for h in dataset.headers or []]
    missing = [str(label) for key, label in COLUMNS[:3] if key not in headers]
    if missing:
        raise ValidationError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    if dataset.height > MAX_ROWS:
        raise ValidationError(
            _("At most %(max)s rows can be imported at once.") % {"max": MAX_ROWS}
        )
    rows = []
    for values in dataset:
        row = {key: _cell(value) for key, value in zip(headers, values, strict=False) if key}
        if any(value not in ("", None) for value in row.values()):
            rows.append(row)
    return rows


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        # Undo the export's guard against formulas (campussafety/spreadsheets.py).
        if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
            value = value[1:]
    return "" if value is None else value


def require_stocker(user, school) -> None:
    """Refuse (OutOfScope) unless the user may record stock at the school: its own staff."""
    if not Scope.of(user).contains(school, roles=Location.access["stock"]):
        raise OutOfScope(_("The school's own staff import its equipment."))


def plan(user, school, rows: list[dict]) -> Plan:
    """What each row would do at `school`, or its errors in the user's language. Four queries."""
    visible = EquipmentType.objects.for_user(user).filter(is_active=True)
    # National types first, so a city's own type of the same code stands in for them.
    types = {t.code: t for t in sorted(visible, key=lambda t: t.city_id is not None)}
    locations = {loc.name: loc for loc in Location.objects.filter(school=school)}
    # Tags are unique at the school among every piece it ever had; pieces without a tag
    # are counted per place and type, like untracked stock.
    tags, untagged = set(), Counter()
    for tag, location_id, type_id in (
        Item.objects.filter(school=school)
        .order_by()
        .values_list("asset_tag", "location_id", "equipment_type_id")
    ):
        if tag:
            tags.add(tag)
        elif location_id is not None:
            untagged[(location_id, type_id)] += 1
    held = {
        (location_id, type_id): count
        for location_id, type_id, count in StockBalance.objects.filter(school=school)
        .order_by()
        .values_list("location_id", "equipment_type_id", "held")
    }
    new_locations: dict[str, str] = {}
    seen_tags, seen_counts = set(), set()
    result = []
    for number, values in enumerate(rows, start=2):
        row = Row(number, values)
        result.append(row)
        equipment_type = types.get(str(values.get("type", "")).strip())
        if equipment_type is None:
            row.errors.append(_("Unknown type code “%(code)s”.") % {"code": values.get("type", "")})
        row.equipment_type = equipment_type
        place = str(values.get("location", "")).strip()
        if not place:
            row.errors.append(_("Name the location."))
        elif place in locations:
            row.location = locations[place]
        elif place in new_locations:
            pass
        else:
            kind = _kind(values.get("location_kind", ""))
            if kind is None:
                row.errors.append(
                    _("“%(place)s” is not a location of the school: give its kind to create it.")
                    % {"place": place}
                )
            else:
                new_locations.setdefault(place, kind)
        dates = _dates(row)
        if equipment_type is None or row.errors:
            continue
        if equipment_type.is_serialised and str(values.get("asset_tag", "")).strip():
            _plan_piece(row, tags, seen_tags, dates)
        elif equipment_type.is_serialised:
            row.values = {**row.values, **dates}
            _plan_count(row, untagged, seen_counts)
        else:
            _plan_count(row, held, seen_counts)
    pieces = 0
    for row in result:
        if not row.errors and row.equipment_type is not None and row.equipment_type.is_serialised:
            pieces += row.quantity
            if pieces > MAX_PIECES:
                row.errors.append(
                    _("A file may bring at most %(max)s pieces tracked one by one.")
                    % {"max": MAX_PIECES}
                )
    return Plan(result, new_locations)


def _kind(text) -> str | None:
    text = str(text or "").strip()
    for kind in LocationKind:
        if text.lower() in (kind.value, str(kind.label).lower()):
            return kind.value
        with translation.override("zh-hans"):
            if text == str(kind.label):
                return kind.value
    return None


def _dates(row: Row) -> dict:
    dates = {}
    for key in ("manufactured_on", "acquired_on"):
        value = row.values.get(key, "")
        if value in ("", None):
            continue
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            try:
                value = datetime.date.fromisoformat(str(value).strip().replace("/", "-"))
            except ValueError:
                row.errors.append(
                    _("%(column)s: give a date as YYYY-MM-DD.") % {"column": _label(key)}
                )
                continue
        try:
            check_date_bounds(value)
        except ValidationError as exc:
            row.errors.append(f"{_label(key)}: {' '.join(exc.messages)}")
            continue
        if value > timezone.localdate():
            row.errors.append(_("%(column)s is in the future.") % {"column": _label(key)})
            continue
        dates[key] = value
    return dates


def _label(key: str) -> str:
    return str(dict(COLUMNS)[key])


def _quantity(row: Row, default=None) -> int | None:
    value = row.values.get("quantity", "")
    if str(value).strip() == "" and default is not None:
        return default
    # A spreadsheet's numbers arrive as floats (2.0); a CSV's as text.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not (text.isascii() and text.isdecimal()) or int(text) > MAX_QUANTITY:
        row.errors.append(
            _("Quantity: give a whole number of pieces, at most %(max)s.") % {"max": MAX_QUANTITY}
        )
        return None
    return int(text)


def _plan_piece(row: Row, tags: set, seen: set, dates: dict) -> None:
    tag = str(row.values.get("asset_tag", "")).strip()
    if len(tag) > 40:
        row.errors.append(_("The asset tag is longer than 40 characters."))
        return
    if _quantity(row, default=1) not in (1, None):
        row.errors.append(_("A piece tracked one by one has a quantity of 1."))
    if tag in seen:
        row.errors.append(_("Asset tag %(tag)s appears twice in the file.") % {"tag": tag})
    seen.add(tag)
    if row.errors:
        return
    row.values = {**row.values, **dates, "asset_tag": tag}
    row.action, row.quantity = (UNCHANGED, 0) if tag in tags else (NEW_PIECE, 1)


def _plan_count(row: Row, held, seen: set) -> None:
    """A count of pieces at a place: untracked stock, or tracked pieces without tags."""
    if str(row.values.get("asset_tag", "")).strip():
        row.errors.append(_("Only pieces tracked one by one have asset tags."))
        return
    wanted = _quantity(row)
    if wanted is None:
        return
    key = (row.values.get("location"), row.equipment_type.code)
    if key in seen:
        row.errors.append(_("This type appears twice at this location in the file."))
        return
    seen.add(key)
    have = held.get((row.location.pk, row.equipment_type.pk), 0) if row.location else 0
    if have > wanted:
        row.errors.append(
            _(
                "The ledger holds %(have)s here, more than %(wanted)s: record where the others "
                "went instead."
            )
            % {"have": have, "wanted": wanted}
        )
        return
    row.action, row.quantity = (TOP_UP, wanted - have) if wanted > have else (UNCHANGED, 0)


def commit(user, school, import_plan: Plan) -> dict:
    """Write a valid plan through the ledger, all rows or none; the counts of what was done.

    The plan checked every row; what changed since (a tag taken meanwhile) is
    refused by the ledger, and nothing is saved.
    """
    if not import_plan.is_valid:
        raise ValidationError(_("Fix the rows with errors first: nothing was imported."))
    reason = _("Imported from a spreadsheet")
    with transaction.atomic():
        created = {}
        for name, kind in import_plan.new_locations.items():
            created[name] = write_in_scope(
                user,
                ADD,
                lambda name=name, kind=kind: Location.objects.create(
                    school=school, name=name, kind=kind
                ),
            )
        receipts = []
        for row in import_plan.rows:
            if row.action == UNCHANGED:
                continue
            location = row.location or created[str(row.values["location"]).strip()]
            dates = {
                "manufactured_on": row.values.get("manufactured_on") or None,
                "acquired_on": row.values.get("acquired_on") or None,
            }
            if row.action == NEW_PIECE:
                serial = str(row.values.get("serial_number", "")).strip()[:60]
                receipts.append(
                    Receipt(
                        location,
                        row.equipment_type,
                        asset_tag=row.values["asset_tag"],
                        serial_number=serial,
                        **dates,
                    )
                )
            elif row.equipment_type.is_serialised:
                # Pieces without tags arrive one by one, each with its own record.
                receipts.extend(
                    Receipt(location, row.equipment_type, **dates) for _n in range(row.quantity)
                )
            else:
                receipts.append(Receipt(location, row.equipment_type, row.quantity))
        receive_many(user, receipts, reason=reason)
    return import_plan.counts()


# --- Export, in the import's own format -------------------------------------------------------


def export_rows(school) -> list[list]:
    """The school's held pieces and counts as rows of COLUMNS. Two queries."""
    rows, untagged = [], Counter()
    pieces = (
        Item.objects.held()
        .filter(school=school)
        .select_related("equipment_type", "location")
        .order_by("location__name", "equipment_type__code", "asset_tag")
    )
    for item in pieces:
        if not item.asset_tag:
            untagged[(item.location, item.equipment_type)] += 1
            continue
        rows.append(
            [
                item.asset_tag,
                item.equipment_type.code,
                item.location.name,
                item.location.kind,
                1,
                item.serial_number,
                item.manufactured_on,
                item.acquired_on,
            ]
        )
    for (location, equipment_type), count in untagged.items():
        rows.append(["", equipment_type.code, location.name, location.kind, count, "", None, None])
    counts = (
        StockBalance.objects.filter(school=school, held__gt=0, equipment_type__is_serialised=False)
        .select_related("equipment_type", "location")
        .order_by("location__name", "equipment_type__code")
    )
    for balance in counts:
        rows.append(
            [
                "",
                balance.equipment_type.code,
                balance.location.name,
                balance.location.kind,
                balance.held,
                "",
                None,
                None,
            ]
        )
    return rows


def headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def export_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    # A BOM, so Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_response(request, school, file_format: str) -> HttpResponse:
    """The school's equipment as .xlsx or .csv, in the import's columns (no title rows: the
    file reads back in unchanged), written to the access log as every export is."""
    filename = f"{school.code}-equipment-{timezone.localdate():%Y%m%d}.{file_format}"
    rows = export_rows(school)
    log_download(
        request,
        f"{school.code}-equipment",
        _("Equipment · %(school)s") % {"school": school.name},
        Item,
        len(rows),
        file_format,
    )
    if file_format == "csv":
        response = HttpResponse(export_csv(rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheet(workbook, _("Equipment"), headers(), rows)
    return xlsx_response(workbook, filename)

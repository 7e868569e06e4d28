"""The school's equipment board, a piece's page with its QR code and history, the QR tag sheet.

Phone-first: the safety officer opens the board at the gatehouse. Each place
shows what it holds against its standard (services.requirements and
stock_by_place, the same numbers as the shortfalls and compliance), shortfalls
in red; below, the pieces due for service or scrapping.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from accounts.scope import SCHOOL_STAFF
from campussafety.qrcodes import qr_svg
from campussafety.views import keyset_context
from equipment import extinguishers
from equipment.choices import ItemStatus, MovementKind
from equipment.models import EquipmentType, Item, Location, Movement
from equipment.services import requirements, stock_by_place
from equipment.views.access import equipment_school, may_record, may_stock
from schools.models import School
from schools.obligations import school_facts

# How far ahead the board warns of a service, and of a scrap date (CHECKS.md §5, issue 11 §4).
SERVICE_AHEAD = datetime.timedelta(days=30)
SCRAP_AHEAD = datetime.timedelta(days=90)
# Tags per printed sheet: an A4 page holds a dozen, a print run a few pages.
TAGS_PER_SHEET = 48
# What can happen to a piece, offered as buttons on its page.
# A piece's history, newest first; the id breaks ties of one instant (a total order).
HISTORY_ORDER = ("-happened_at", "-id")
PIECE_MOVES = [kind for kind in MovementKind if kind != MovementKind.RECEIVED]


@dataclass
class Line:
    equipment_type: EquipmentType
    required: int
    usable: int
    held: int
    faulty: int

    @property
    def is_short(self) -> bool:
        return self.usable < self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.usable, 0)


@dataclass
class Place:
    location: Location
    lines: list = field(default_factory=list)
    pieces: list = field(default_factory=list)

    @property
    def is_short(self) -> bool:
        return any(line.is_short for line in self.lines)


def is_due(item: Item, today: datetime.date) -> bool:
    return (
        item.status in (ItemStatus.FAULTY, ItemStatus.EXPIRED, ItemStatus.UNDER_REPAIR)
        or (item.service_due_on is not None and item.service_due_on <= today + SERVICE_AHEAD)
        or (item.scrap_on is not None and item.scrap_on <= today + SCRAP_AHEAD)
    )


def board(school: School, today: datetime.date) -> dict:
    """The school's places against its standard, and its pieces due. Seven queries."""
    needed = requirements(school_facts([school.pk])).get(school.pk, {})
    locations = Location.objects.filter(school=school, is_active=True).order_by("kind", "name")
    stock = stock_by_place([school.pk], today)
    pieces = list(
        Item.objects.held()
        .filter(school=school)
        .select_related("equipment_type")
        .order_by("equipment_type__code", "asset_tag")
    )
    types = EquipmentType.objects.in_bulk(
        {type_id for _kind, type_id in needed} | {type_id for _loc, type_id in stock}
    )
    places = {}
    for location in locations:
        place = places[location.pk] = Place(location)
        for (kind, type_id), required in needed.items():
            if kind == location.kind:
                usable, held, faulty = stock.get((location.pk, type_id), (0, 0, 0))
                place.lines.append(Line(types[type_id], required, usable, held, faulty))
        required_types = {line.equipment_type.pk for line in place.lines}
        for (location_id, type_id), (usable, held, faulty) in stock.items():
            if location_id == location.pk and type_id not in required_types and held:
                place.lines.append(Line(types[type_id], 0, usable, held, faulty))
        place.lines.sort(key=lambda line: (line.equipment_type.category, line.equipment_type.code))
    for piece in pieces:
        if piece.location_id in places:
            places[piece.location_id].pieces.append(piece)
    due = sorted(
        (piece for piece in pieces if is_due(piece, today)),
        key=lambda piece: min(
            d for d in (piece.service_due_on, piece.scrap_on, today) if d is not None
        ),
    )
    short = [place for place in places.values() if place.is_short]
    return {"places": list(places.values()), "due": due, "short_count": len(short)}


class BoardChoiceView(LoginRequiredMixin, View):
    """/equipment/: the board of the user's school, else the bureau's compliance."""

    def get(self, request):
        schools = School.objects.for_user(request.user, roles=SCHOOL_STAFF).order_by("pk")
        first = schools.values_list("pk", flat=True).first()
        if first is not None:
            return redirect("equipment:board", pk=first)
        return redirect("equipment:compliance")


class BoardView(LoginRequiredMixin, TemplateView):
    template_name = "equipment/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        school = equipment_school(self.request.user, self.kwargs["pk"])
        today = timezone.localdate()
        context.update(
            board(school, today),
            school=school,
            today=today,
            may_stock=may_stock(self.request.user, school),
            is_bureau=not may_stock(self.request.user, school),
        )
        return context


class ItemView(LoginRequiredMixin, TemplateView):
    """A piece: its due dates, its QR code (this page's address) and its history, paginated."""

    template_name = "equipment/item.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        item = get_object_or_404(
            Item.objects.for_user(user).select_related("equipment_type", "location", "school"),
            pk=self.kwargs["pk"],
        )
        # The scope is checked once, on the piece: its whole history is the piece's own,
        # the movements at a school it was transferred from included (its provenance).
        # Read through the index on (item, -happened_at), a page at a time after the
        # last one shown (keyset), never counted: a piece checked daily for years has
        # thousands of movements, and joining the scope's paths into each page's
        # statement cost more to plan than to run.
        history = Movement.objects.filter(item=item).select_related(
            "location", "to_location", "recorded_by"
        )
        page = keyset_context(self.request, history, HISTORY_ORDER)
        url = self.request.build_absolute_uri(reverse("equipment:item", args=[item.pk]))
        today = timezone.localdate()
        context.update(
            page,
            item=item,
            history=page["object_list"],
            qr=qr_svg(url),
            today=today,
            is_due=is_due(item, today),
            moves=PIECE_MOVES if item.location_id and may_record(user) else [],
        )
        # Scanning an extinguisher's code during the month's check leads here to answer it.
        if item.location_id and extinguishers.is_extinguisher(item) and may_record(user):
            check = extinguishers.open_check(item.school_id)
            context.update(
                extinguisher_check=check,
                extinguisher_answer=check and check.answers.filter(item=item).first(),
            )
        return context


class QRSheetView(LoginRequiredMixin, TemplateView):
    """The printable QR tags of a school's pieces, a sheet at a time."""

    template_name = "equipment/qr_sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        school = equipment_school(self.request.user, self.kwargs["pk"])
        pieces = (
            Item.objects.held()
            .filter(school=school)
            .select_related("equipment_type", "location")
            .order_by("location__name", "equipment_type__code", "asset_tag")
        )
        page = Paginator(pieces, TAGS_PER_SHEET).get_page(self.request.GET.get("page"))
        build = self.request.build_absolute_uri
        context.update(
            school=school,
            page_obj=page,
            codes=[
                (piece, qr_svg(build(reverse("equipment:item", args=[piece.pk]))))
                for piece in page.object_list
            ],
        )
        return context

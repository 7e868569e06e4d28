"""HTML pages for schools, their gates and the school calendar.

Every object comes through `Model.objects.for_user(user)` (ScopedObjectMixin),
so an object outside the user's scope is a 404 exactly like a missing one; an
object the user may see but not change or delete is a 403. Every write is
checked to still lie in the scope before its transaction commits.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView, UpdateView
from django_filters.views import FilterView

from accounts.scope import ADD, BUREAU, CHANGE, DELETE, VIEW, Scope
from campussafety.export_views import ExportMixin
from campussafety.exports import Column, Table, filtered
from campussafety.forms import label_blank_choices, style_form
from campussafety.views import (
    ScopedDeleteView,
    ScopedObjectMixin,
    ScopedSearchView,
    save_in_scope,
)
from schools.calendar import school_days, term_audiences
from schools.filtersets import SchoolFilterSet
from schools.forms import CalendarExceptionForm, GateForm, SchoolForm, TermForm
from schools.models import CalendarException, Gate, School, Term

# How far ahead to look for a school's next school days: long enough to reach
# past the summer vacation.
SCHOOL_DAYS_HORIZON = datetime.timedelta(days=120)
NEXT_SCHOOL_DAYS = 10
# The calendar page lists exceptions from this far back, so that a closure
# announced last week can still be checked.
RECENT_EXCEPTIONS = datetime.timedelta(days=30)


def school_rows(user):
    """The list's rows, for the page and its export. with_organisation: each row shows
    its district and police station."""
    return School.objects.for_user(user).with_organisation().order_by("district", "name", "pk")


def school_table(user, query) -> Table:
    """The school list's export: its rows under its filters, in its order."""
    rows = filtered(SchoolFilterSet, query, school_rows(user), user)
    return Table(
        name="schools",
        title=_("Schools"),
        model=School,
        rows=rows,
        columns=[
            Column(_("Name"), lambda school: school.name),
            Column(_("Code"), lambda school: school.code),
            Column(_("Type"), lambda school: school.get_school_type_display()),
            Column(_("District"), lambda school: school.district.name),
            Column(_("Police station"), lambda school: school.police_station.name),
            Column(_("Police room"), lambda school: school.has_police_room),
            Column(_("Booth"), lambda school: school.has_protection_booth),
        ],
    )


class SchoolListView(LoginRequiredMixin, ExportMixin, FilterView):
    """The schools in the user's scope, filtered and paginated; ?format=xlsx|csv exports
    every page."""

    filterset_class = SchoolFilterSet
    paginate_by = 50
    template_name = "schools/school_list.html"
    export_builder = staticmethod(school_table)

    def get_queryset(self):
        return school_rows(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        label_blank_choices(style_form(context["filter"].form), _("Any"))
        query = self.request.GET.copy()
        query.pop("page", None)
        # Page links keep the filters.
        context["filter_query"] = query.urlencode()
        return context


# The most schools one type-ahead search answers with.
SEARCH_LIMIT = 20


class SchoolSearchView(ScopedSearchView):
    """The schools in the user's scope whose name contains, or code starts with, `q`:
    what a type-ahead school choice lists."""

    model = School
    limit = SEARCH_LIMIT

    def search(self, rows, text):
        return rows.filter(Q(name__icontains=text) | Q(code__startswith=text))


def can_manage_gates(user, school) -> bool:
    """May `user` add gates to `school` (through a role that may add gates)?"""
    roles = Gate.access[ADD]
    return School.objects.for_user(user, VIEW, roles=roles).filter(pk=school.pk).exists()


class SchoolDetailView(ScopedObjectMixin, DetailView):
    """A school: its details, gates, the terms and exceptions that apply, its next school days."""

    model = School

    def get_queryset(self):
        return super().get_queryset().with_organisation()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        school = self.object
        user = self.request.user
        today = timezone.localdate()
        audiences = term_audiences(school.is_kindergarten)
        in_area = Q(city_id=school.district.city_id) | Q(district_id=school.district_id)
        days = school_days([school.pk], today, today + SCHOOL_DAYS_HORIZON).get(school.pk, ())
        may_manage_gates = can_manage_gates(user, school)
        context.update(
            gates=school.gates.all(),
            terms=Term.objects.for_user(user)
            .filter(in_area, audience__in=audiences, end_date__gte=today)
            .select_related("city", "district"),
            exceptions=CalendarException.objects.for_user(user)
            .filter(in_area | Q(school=school), date__gte=today)
            .select_related("city", "district", "school"),
            today=today,
            is_school_day_today=today in days,
            next_school_days=days[:NEXT_SCHOOL_DAYS],
            can_edit=self.scope.contains(school, CHANGE),
            can_manage_gates=may_manage_gates,
        )
        if may_manage_gates and "gate_form" not in kwargs:
            context["gate_form"] = GateForm(user=user, instance=Gate(school=school))
        return context


class GateCreateView(SchoolDetailView):
    """Adds a gate or pick-up point to a school; invalid input re-renders the school page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = school = self.get_object()
        if not can_manage_gates(request.user, school):
            raise PermissionDenied
        form = GateForm(request.POST, user=request.user, instance=Gate(school=school))
        if form.is_valid() and save_in_scope(request.user, form, ADD):
            messages.success(request, _("Added %(gate)s.") % {"gate": form.instance.name})
            return HttpResponseRedirect(school.get_absolute_url() + "#gates")
        return self.render_to_response(self.get_context_data(gate_form=form))


class GateDeleteView(ScopedDeleteView):
    """Deletes a gate or pick-up point."""

    model = Gate

    def get_success_url(self):
        return reverse("schools:detail", args=[self.object.school_id]) + "#gates"


class SchoolUpdateView(ScopedObjectMixin, UpdateView):
    """Edits a school: bureau staff edit everything, a principal all but where it sits."""

    model = School
    scope_action = CHANGE
    form_class = SchoolForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["bureau"] = self.scope.contains(self.object, CHANGE, roles=BUREAU)
        return kwargs

    def form_valid(self, form):
        if save_in_scope(self.request.user, form, CHANGE) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(school)s.") % {"school": form.instance})
        return HttpResponseRedirect(form.instance.get_absolute_url())


class CalendarView(LoginRequiredMixin, TemplateView):
    """The terms and calendar exceptions in scope; bureau staff add and delete them here."""

    template_name = "schools/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = Scope.of(user)
        today = timezone.localdate()
        terms = Term.objects.for_user(user).select_related("city", "district")
        exceptions = CalendarException.objects.for_user(user).select_related(
            "city", "district", "school"
        )
        terms = list(terms.filter(end_date__gte=today.replace(month=1, day=1)))
        exceptions = list(exceptions.filter(date__gte=today - RECENT_EXCEPTIONS))
        context.update(
            today=today,
            terms=terms,
            exceptions=exceptions,
            # One query each, however many rows: which of the listed rows may be deleted.
            deletable_terms=_deletable(user, Term, terms),
            deletable_exceptions=_deletable(user, CalendarException, exceptions),
        )
        if scope.can(Term, ADD):
            context.setdefault("term_form", TermForm(user=user))
        if scope.can(CalendarException, ADD):
            context.setdefault("exception_form", CalendarExceptionForm(user=user))
        return context


def _deletable(user, model, rows) -> set[int]:
    if not rows or not Scope.of(user).can(model, DELETE):
        return set()
    ids = [row.pk for row in rows]
    return set(model.objects.for_user(user, DELETE).filter(pk__in=ids).values_list("pk", flat=True))


class CalendarCreateView(CalendarView):
    """Adds a term or an exception; invalid input re-renders the calendar with the errors."""

    http_method_names = ["post"]
    form_class = None
    context_name = None

    def post(self, request, *args, **kwargs):
        if not Scope.of(request.user).can(self.form_class._meta.model, ADD):
            raise PermissionDenied
        form = self.form_class(request.POST, user=request.user)
        if form.is_valid() and save_in_scope(request.user, form, ADD):
            messages.success(request, _("Added %(object)s.") % {"object": form.instance})
            return HttpResponseRedirect(reverse("schools:calendar"))
        return self.render_to_response(self.get_context_data(**{self.context_name: form}))


class TermCreateView(CalendarCreateView):
    """Adds a term for a city or a district."""

    form_class = TermForm
    context_name = "term_form"


class CalendarExceptionCreateView(CalendarCreateView):
    """Adds a closure or an extra school day for a city, a district or a school."""

    form_class = CalendarExceptionForm
    context_name = "exception_form"


class TermDeleteView(ScopedDeleteView):
    """Deletes a term."""

    model = Term
    success_url = reverse_lazy("schools:calendar")


class CalendarExceptionDeleteView(ScopedDeleteView):
    """Deletes a calendar exception."""

    model = CalendarException
    success_url = reverse_lazy("schools:calendar")

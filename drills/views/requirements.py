"""Drill requirements and their overrides: read by every role in scope, kept by city staff.

- The list: the requirements the user reads (the national defaults and their city's
  own), what each asks, of which schools and on whose authority. `?school=` (a
  type-ahead) narrows it to those that apply at one school, with the count its
  overrides leave there; school staff land on their own school's.
- A requirement's page: its terms, the requirement with the same code (the national
  default a city's rule replaces, or the cities' rules replacing a default), and the
  overrides the user sees, paged and filtered by district or school.
- Writes: city staff add, edit and switch off their city's requirements (admins the
  national defaults too) and add, edit and remove overrides for their districts and
  schools. Every write is checked by write_in_scope (save_in_scope) and saved with
  Model.save(), so the signal that forgets the materialised windows of the schools a
  rule or an override decides (schools/signals.py) runs as it does for the API's.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from accounts.scope import ADD, BUREAU, CHANGE, SCHOOL_STAFF, VIEW, Scope, write_in_scope
from campussafety.forms import label_blank_choices, style_form
from campussafety.ids import id_or_404
from campussafety.views import (
    PAGE_SIZE,
    FilteredListMixin,
    ScopedDeleteView,
    ScopedObjectMixin,
    list_query,
    save_in_scope,
)
from drills.filtersets import DrillRequirementFilter, RequirementOverridePageFilter
from drills.forms_requirements import REQUIREMENT_FIELDS, RULE_FIELDS, OverrideForm, RequirementForm
from drills.models import DrillRequirement
from drills.requirements import set_active, visible_requirements
from schools.models import ObligationOverride, ObligationRule, School


def requirement_for(user, pk, action=VIEW) -> DrillRequirement:
    """The requirement `pk` the user reads (404 otherwise); 403 if they may not `action` it."""
    requirement = get_object_or_404(
        DrillRequirement.objects.for_user(user).select_related("obligation__city"), pk=pk
    )
    if action != VIEW and not Scope.of(user).contains(requirement, action):
        if requirement.obligation.city_id is None:
            raise PermissionDenied(
                _("National defaults are kept by administrators: adapt it for your city instead.")
            )
        raise PermissionDenied
    return requirement


def drill_overrides(user, action=VIEW):
    """The overrides of drill requirements the user reaches for `action`."""
    return (
        ObligationOverride.objects.for_user(user, action)
        .filter(rule__drill_requirement__isnull=False)
        .select_related("rule__drill_requirement", "district", "school")
    )


def own_school(user):
    """The school a principal or safety officer works at (the first, for several), unless the
    user also holds a bureau's role: what the list shows them first."""
    scope = Scope.of(user)
    if scope.is_admin or scope.has_role(*BUREAU) or not scope.has_role(*SCHOOL_STAFF):
        return None
    return (
        School.objects.for_user(user, roles=SCHOOL_STAFF)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


class RequirementListView(LoginRequiredMixin, FilteredListMixin, FilterView):
    template_name = "drills/requirements/list.html"
    filterset_class = DrillRequirementFilter

    def get_queryset(self):
        return visible_requirements(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET:
            school = own_school(self.request.user)
            if school is not None:
                kwargs["data"] = {"school": str(school)}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        terms = self.filterset.terms
        if terms is not None:
            for requirement in context["object_list"]:
                requirement.here = terms.get(requirement.obligation_id)
            context["school"] = self.filterset.form.cleaned_data["school"]
        context["may_add"] = Scope.of(self.request.user).can(DrillRequirement, ADD)
        return context


class RequirementDetailView(ScopedObjectMixin, DetailView):
    model = DrillRequirement
    template_name = "drills/requirements/detail.html"
    context_object_name = "requirement"

    def get_queryset(self):
        return super().get_queryset().select_related("obligation__city")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        requirement = self.object
        rule = requirement.obligation
        overrides = (
            ObligationOverride.objects.for_user(user)
            .filter(rule=rule)
            .select_related("district", "school")
            .order_by("district__name", "school__name", "pk")
        )
        filterset = RequirementOverridePageFilter(
            self.request.GET or None, queryset=overrides, request=self.request
        )
        rows = filterset.qs if not filterset.is_bound or filterset.is_valid() else overrides.none()
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        may_override = self.scope.can(ObligationOverride, ADD)
        changeable = set()
        if may_override and page.object_list:
            # One query for the page's rows, not one per row.
            changeable = set(
                ObligationOverride.objects.for_user(user, CHANGE)
                .filter(pk__in=[override.pk for override in page.object_list])
                .values_list("pk", flat=True)
            )
        for override in page.object_list:
            override.may_change = override.pk in changeable
        # The national default a city's rule replaces, or the cities' rules replacing it.
        same_code = list(
            DrillRequirement.objects.for_user(user)
            .filter(obligation__code=rule.code, obligation__domain=rule.domain)
            .exclude(pk=requirement.pk)
            .select_related("obligation__city")
            .order_by("obligation__city__name")
        )
        may_add = self.scope.can(DrillRequirement, ADD)
        filter_form = label_blank_choices(style_form(filterset.form), _("Any"))
        context.update(
            rule=rule,
            overrides=page,
            page_obj=page,
            filter_form=filter_form,
            filter_query=list_query(self.request),
            may_change=self.scope.contains(requirement, CHANGE),
            may_override=may_override,
            same_code=same_code,
            # A city's own version of a national default; admins may make one for any city.
            may_adapt=rule.city_id is None
            and may_add
            and (self.scope.is_admin or not any(r.obligation.city_id for r in same_code)),
        )
        return context


class RequirementFormView(LoginRequiredMixin, FormView):
    """What adding and editing a requirement share: the form, the write check, the answer."""

    form_class = RequirementForm
    template_name = "drills/requirements/form.html"
    scope_action = ADD
    heading = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, **kwargs)

    def form_valid(self, form):
        requirement = save_in_scope(self.request.user, form, self.scope_action)
        if requirement is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": requirement})
        return redirect("drills:requirement", pk=requirement.pk)


class RequirementCreateView(RequirementFormView):
    """A new requirement of the user's city; `?replaces=` a national default, to adapt it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not Scope.of(request.user).can(DrillRequirement, ADD):
            raise PermissionDenied(_("City staff keep their city's drill requirements."))
        self.replaces = None
        if "replaces" in request.GET:
            self.replaces = get_object_or_404(
                DrillRequirement.objects.for_user(request.user).select_related("obligation"),
                obligation__city__isnull=True,
                pk=id_or_404(request.GET["replaces"]),
            )
        self.heading = _("Add a drill requirement")
        if self.replaces is not None:
            self.heading = _("Adapt for a city: %(name)s") % {"name": self.replaces}
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.replaces is None:
            return {}
        rule = self.replaces.obligation
        initial = {name: getattr(rule, name) for name in RULE_FIELDS if name != "city"}
        initial.update({name: getattr(self.replaces, name) for name in REQUIREMENT_FIELDS})
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": ObligationRule()}


class RequirementUpdateView(RequirementFormView):
    scope_action = CHANGE

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.requirement = requirement_for(request.user, kwargs["pk"], CHANGE)
        self.heading = str(self.requirement)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.requirement.obligation,
            "requirement": self.requirement,
        }


class RequirementActiveView(LoginRequiredMixin, View):
    """Switch a requirement off (no school owes it any more) or on again (POST)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        requirement = requirement_for(request.user, pk, CHANGE)
        active = not requirement.obligation.is_active
        write_in_scope(request.user, CHANGE, lambda: set_active(requirement, active))
        if active:
            messages.success(request, _("%(object)s applies again.") % {"object": requirement})
        else:
            messages.success(request, _("%(object)s is switched off.") % {"object": requirement})
        return redirect("drills:requirement", pk=requirement.pk)


class OverrideFormView(LoginRequiredMixin, FormView):
    """What adding and editing an override share; `requirement` is the one it changes."""

    form_class = OverrideForm
    template_name = "drills/requirements/form.html"
    scope_action = ADD
    instance = None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "rule": self.requirement.obligation,
            "action": self.scope_action,
            "instance": self.instance,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("Override for a district or school"),
            subheading=str(self.requirement),
            **kwargs,
        )

    def form_valid(self, form):
        if save_in_scope(self.request.user, form, self.scope_action) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": form.instance})
        return redirect("drills:requirement", pk=self.requirement.pk)


class OverrideCreateView(OverrideFormView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.requirement = requirement_for(request.user, kwargs["pk"])
        if not Scope.of(request.user).can(ObligationOverride, ADD):
            raise PermissionDenied(
                _("City staff override requirements for their districts and schools.")
            )
        return super().dispatch(request, *args, **kwargs)


class OverrideUpdateView(OverrideFormView):
    scope_action = CHANGE

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.instance = get_object_or_404(drill_overrides(request.user), pk=kwargs["pk"])
        if not Scope.of(request.user).contains(self.instance, CHANGE):
            raise PermissionDenied
        self.requirement = self.instance.rule.drill_requirement
        return super().dispatch(request, *args, **kwargs)


class OverrideDeleteView(ScopedDeleteView):
    """Remove an override (POST): the requirement applies there as written again."""

    model = ObligationOverride

    def get_queryset(self):
        return drill_overrides(self.request.user)

    def get_success_url(self):
        return reverse("drills:requirement", args=[self.object.rule.drill_requirement.pk])

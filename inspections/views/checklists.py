"""Checkpoints (school staff), checklist templates and their versions, and the rules' overrides.

Templates are read by everyone in scope; city staff publish a new version of
their city's templates (inspections/checklists.py: items are never edited in
place) and override a rule for one district or school (ObligationOverride).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from accounts.scope import ADD, CHANGE, DELETE, Scope
from campussafety.ids import parse_id
from campussafety.views import PAGE_SIZE, ScopedObjectMixin, list_query, save_in_scope
from inspections.checklists import ITEM_FIELDS, publish_version
from inspections.forms import CheckpointForm, ItemFormSet, OverrideForm, PublishForm
from inspections.models import ChecklistTemplate, Checkpoint, InspectionRule
from schools.models import ObligationOverride


class CheckpointListView(LoginRequiredMixin, ListView):
    template_name = "inspections/checkpoint_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        checkpoints = (
            Checkpoint.objects.for_user(self.request.user)
            .select_related("school", "gate")
            .order_by("school__name", "position", "name")
        )
        school = parse_id(self.request.GET.get("school"))
        if school is not None:
            checkpoints = checkpoints.filter(school_id=school)
        return checkpoints

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_add"] = Scope.of(self.request.user).can(Checkpoint, ADD)
        context["filter_query"] = list_query(self.request)
        return context


class CheckpointFormMixin:
    model = Checkpoint
    form_class = CheckpointForm
    template_name = "inspections/form_page.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = self.object.name if self.object else _("Add a checkpoint")
        return context

    def form_valid(self, form):
        if save_in_scope(self.request.user, form, self.scope_action) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": form.instance})
        return redirect(f"{reverse('inspections:checkpoints')}?school={form.instance.school_id}")


class CheckpointCreateView(CheckpointFormMixin, LoginRequiredMixin, CreateView):
    scope_action = ADD

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not Scope.of(request.user).can(Checkpoint, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CheckpointUpdateView(CheckpointFormMixin, ScopedObjectMixin, UpdateView):
    scope_action = CHANGE


class CheckpointDeactivateView(ScopedObjectMixin, View):
    """Take a checkpoint off the rounds (POST); its past records keep it."""

    model = Checkpoint
    scope_action = CHANGE

    def post(self, request, pk):
        checkpoint = get_object_or_404(self.get_queryset(), pk=pk)
        if not self.scope.contains(checkpoint, CHANGE):
            raise PermissionDenied
        checkpoint.is_active = not checkpoint.is_active
        checkpoint.save(update_fields=["is_active", "updated"])
        messages.success(request, _("Saved %(object)s.") % {"object": checkpoint})
        return redirect(f"{reverse('inspections:checkpoints')}?school={checkpoint.school_id}")


class TemplateListView(LoginRequiredMixin, ListView):
    template_name = "inspections/template_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            ChecklistTemplate.objects.for_user(self.request.user)
            .with_current_version()
            .select_related("city")
            .order_by("code", "city_id", "pk")
        )


def current_items(template):
    version = template.current_version
    items = list(version.items.order_by("position")) if version else []
    return version, items


class TemplateDetailView(ScopedObjectMixin, DetailView):
    """A template's current items with their source references, and its versions."""

    model = ChecklistTemplate
    template_name = "inspections/template_detail.html"
    context_object_name = "template"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version, items = current_items(self.object)
        context.update(
            version=version,
            items=items,
            versions=self.object.versions.order_by("-number"),
            may_edit=self.scope.contains(self.object, CHANGE),
            rules=InspectionRule.objects.for_user(self.request.user)
            .filter(template=self.object)
            .select_related("obligation"),
        )
        return context


class TemplatePublishView(ScopedObjectMixin, TemplateView):
    """City staff publish a new version of their city's template: every item, edited as a list."""

    model = ChecklistTemplate
    scope_action = CHANGE
    template_name = "inspections/template_publish.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        template = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not self.scope.contains(template, CHANGE):
            raise PermissionDenied(_("Only the city's own templates are edited, by city staff."))
        return template

    def forms(self, data=None):
        _version, items = current_items(self.object)
        initial = [{name: getattr(item, name) for name in ITEM_FIELDS} for item in items]
        return ItemFormSet(data, initial=initial, prefix="items"), PublishForm(data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "formset" not in context:
            context["formset"], context["publish_form"] = self.forms()
        context["template"] = self.object
        return context

    def post(self, request, pk):
        formset, publish_form = self.forms(request.POST)
        if formset.is_valid() and publish_form.is_valid():
            # The blank extra form has no cleaned data; a ticked "delete" drops an item.
            items = [
                form.item()
                for form in formset.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            if not items:
                publish_form.add_error(None, _("A checklist needs at least one item."))
            else:
                try:
                    version = publish_version(self.object, items, publish_form.cleaned_data["note"])
                except ValidationError as error:
                    publish_form.add_error(None, error)
                else:
                    messages.success(
                        request, _("Published version %(number)s.") % {"number": version.number}
                    )
                    return redirect("inspections:template", pk=self.object.pk)
        return self.render_to_response(
            self.get_context_data(formset=formset, publish_form=publish_form)
        )


class RuleListView(LoginRequiredMixin, ListView):
    """The inspection rules in scope, with their obligations and the overrides the user sees."""

    template_name = "inspections/rule_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        overrides = ObligationOverride.objects.for_user(self.request.user).select_related(
            "district", "school"
        )
        return (
            InspectionRule.objects.for_user(self.request.user)
            .select_related("obligation__city", "template")
            .prefetch_related(Prefetch("obligation__overrides", queryset=overrides))
            .order_by("obligation__code", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_override"] = Scope.of(self.request.user).can(ObligationOverride, ADD)
        return context


class OverrideCreateView(LoginRequiredMixin, CreateView):
    model = ObligationOverride
    form_class = OverrideForm
    template_name = "inspections/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.rule = get_object_or_404(
            InspectionRule.objects.for_user(request.user).select_related("obligation"),
            pk=kwargs["pk"],
        )
        if not Scope.of(request.user).can(ObligationOverride, ADD):
            raise PermissionDenied(_("City staff override rules for their districts and schools."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "rule": self.rule.obligation,
        }

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "heading": _("Override for a district or school"),
            "subheading": self.rule.obligation.name,
        }

    def form_valid(self, form):
        if save_in_scope(self.request.user, form, ADD) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": form.instance})
        return redirect("inspections:rules")


class OverrideDeleteView(ScopedObjectMixin, View):
    model = ObligationOverride
    scope_action = DELETE

    def post(self, request, pk):
        override = get_object_or_404(self.get_queryset(), pk=pk)
        if not self.scope.contains(override, DELETE):
            raise PermissionDenied
        override.delete()
        messages.success(request, _("Deleted %(object)s.") % {"object": override})
        return redirect("inspections:rules")

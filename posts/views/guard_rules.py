"""The guard rule (CHECKS.md §6) the "four 100%" guards indicator measures schools against.

Everyone whose role reads rules sees the rule that applies in their cities (the
city's own, else the national default) with its source, what it asks of a few
school sizes, and its change history; city staff (and administrators) edit
their city's rule, which the indicator reads at once for today's live values
(posts/indicators.py). Past days keep the snapshots they were taken with.

A city without its own rule follows the national default: its first edit
starts from the default's figures and adds the city's own rule; "use the
national default" removes it again. Administrators edit the national default.
Cities come through City.objects.for_user with the roles GuardRule.access
names, so a city outside the scope is a 404 and one seen but not edited a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accounts.scope import ADD, CHANGE, DELETE, VIEW, Scope
from campussafety import audit
from campussafety.views import PAGE_SIZE, save_in_scope
from posts.forms import GuardRuleForm
from posts.models import GuardRule
from posts.models.guards import GUARD_RULE_FIELDS
from posts.views.base import PageMixin
from schools.models import City

# The school sizes the page works the rule out for, so staff see what their figures mean.
EXAMPLE_SIZES = (80, 500, 1000, 1600, 2500)


def rule_cities(user, action=VIEW):
    """The cities whose guard rule the user may `action` (view: read it; change: edit it)."""
    return City.objects.for_user(user, roles=GuardRule.access[action])


def applying(rules, city_id):
    """The rule of `rules` that applies in the city: its own, else the national default."""
    by_city = {rule.city_id: rule for rule in rules}
    return by_city.get(city_id) or by_city.get(None)


def examples(rule):
    """[(pupils, guards at a day school, guards at a boarding school)] for EXAMPLE_SIZES."""
    return [
        (size, rule.required(size, 0, False), rule.required(size, 0, True))
        for size in EXAMPLE_SIZES
    ]


class RulePlaceMixin(PageMixin):
    """The city a page is about (the `city_pk` URL argument), or the national default (none).

    Sets `city`, `own` (the city's own rule, or the national one on its page) and
    `rule` (the rule that applies there), in two queries.
    """

    def find_rules(self):
        user = self.request.user
        self.may_by_roles = {}
        visible = GuardRule.objects.for_user(user)
        if self.kwargs.get("city_pk") is None:
            self.city = None
            self.own = self.rule = get_object_or_404(visible, city__isnull=True)
            return
        self.city = get_object_or_404(rule_cities(user), pk=self.kwargs["city_pk"])
        rules = list(visible.filter(Q(city=self.city) | Q(city__isnull=True)))
        self.own = next((rule for rule in rules if rule.city_id == self.city.pk), None)
        self.rule = applying(rules, self.city.pk)

    def may(self, action) -> bool:
        """May the user `action` (add, change or delete) the rule of this page's place?"""
        scope = Scope.of(self.request.user)
        if scope.is_admin:
            return True
        if self.city is None or not scope.can(GuardRule, action):
            return False
        # One query for the actions granted to the same roles (all three, as the rule is
        # declared: edited_by city staff).
        roles = GuardRule.access[action]
        if roles not in self.may_by_roles:
            cities = rule_cities(self.request.user, action)
            self.may_by_roles[roles] = cities.filter(pk=self.city.pk).exists()
        return self.may_by_roles[roles]

    def place_url(self, name):
        if self.city is None:
            return reverse(f"posts:{name}-national")
        return reverse(f"posts:{name}", args=[self.city.pk])


class GuardRuleListView(PageMixin, ListView):
    """The cities of the user's scope, each with the rule that applies there."""

    template_name = "posts/guard_rules.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        if not Scope.of(self.request.user).can(GuardRule, VIEW):
            raise PermissionDenied(_("Guard rules are read by education bureau and school staff."))
        return rule_cities(self.request.user).order_by("code", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cities = list(context["object_list"])
        # One query for the page: the cities' own rules and the national default.
        rules = list(
            GuardRule.objects.for_user(self.request.user).filter(
                Q(city__in=cities) | Q(city__isnull=True)
            )
        )
        context["cities"] = [(city, applying(rules, city.pk)) for city in cities]
        context["national"] = applying(rules, None)
        return context


class GuardRuleView(RulePlaceMixin, TemplateView):
    """One place's rule: its figures and source, what it asks of a few sizes, its history."""

    template_name = "posts/guard_rule.html"

    def get_context_data(self, **kwargs):
        self.find_rules()
        entries = audit.history_by_data(GuardRule, city=self.city.pk if self.city else None)
        return super().get_context_data(
            city=self.city,
            rule=self.rule,
            own=self.own,
            examples=examples(self.rule) if self.rule else [],
            history=[(entry, audit.readable_changes(entry, GuardRule)) for entry in entries],
            may_edit=self.may(CHANGE if self.own else ADD),
            may_reset=self.city is not None and self.own is not None and self.may(DELETE),
            edit_url=self.place_url("guard-rule-edit"),
            **kwargs,
        )


class GuardRuleEditView(RulePlaceMixin, FormView):
    """Edits the place's rule: the city's own, added from the national figures when it has none."""

    template_name = "posts/guard_rule_form.html"
    form_class = GuardRuleForm

    def get(self, request, *args, **kwargs):
        self.find_editable()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.find_editable()
        return super().post(request, *args, **kwargs)

    def find_editable(self):
        # In the handler, not dispatch(): PageMixin shows a refusal raised here with its reason.
        self.find_rules()
        self.action = CHANGE if self.own else ADD
        if not self.may(self.action):
            raise PermissionDenied(_("City staff change their city's guard rule."))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.own is not None:
            kwargs["instance"] = self.own
        else:
            kwargs["instance"] = GuardRule(city=self.city)
            if self.rule is not None:
                kwargs["initial"] = model_to_dict(self.rule, fields=GUARD_RULE_FIELDS)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            city=self.city, own=self.own, cancel_url=self.place_url("guard-rule"), **kwargs
        )

    def form_valid(self, form):
        if save_in_scope(self.request.user, form, self.action) is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved %(object)s.") % {"object": form.instance})
        return redirect(self.place_url("guard-rule"))


class GuardRuleResetView(RulePlaceMixin, View):
    """Removes the city's own rule: the national default applies there again."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.find_rules()
        if self.own is None:
            messages.info(request, _("This city already follows the national default."))
        elif not self.may(DELETE):
            raise PermissionDenied(_("City staff change their city's guard rule."))
        else:
            self.own.delete()
            messages.success(request, _("The national default applies again."))
        return redirect(self.place_url("guard-rule"))

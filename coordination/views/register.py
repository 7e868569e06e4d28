"""The instability register's pages: the police list by risk, a factor (its read logged),
reporting one from a phone, sharing one with a bureau, opening its hazard."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from accounts.scope import ADD, CHANGE, Scope
from campussafety.views import PAGE_SIZE, ScopedObjectMixin, save_in_scope
from coordination import register
from coordination.access_log import log_factors_read
from coordination.choices import FactorStatus, ShareUnit
from coordination.forms import FactorForm, FactorStatusForm
from coordination.models import Factor

# A reported factor's first review, unless the reporter says otherwise.
REVIEW_AFTER = datetime.timedelta(days=14)


class FactorListView(LoginRequiredMixin, ListView):
    """The register's active factors the user may read, highest risk first (?status= for others)."""

    template_name = "coordination/factors.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        rows = Factor.objects.for_user(self.request.user).select_related("school")
        status = self.request.GET.get("status") or FactorStatus.WATCHING
        if status in FactorStatus.values:
            rows = rows.filter(status=status)
        return rows.by_risk()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        log_factors_read(self.request, context["object_list"])
        context["statuses"] = FactorStatus.choices
        context["may_report"] = Scope.of(self.request.user).can(Factor, ADD)
        return context


class FactorView(ScopedObjectMixin, View):
    """A factor: the police keep it current, share it, and open its hazard from here."""

    model = Factor

    def factor(self, pk):
        return get_object_or_404(self.get_queryset().select_related("school__district"), pk=pk)

    def render_factor(self, factor, form, status=200):
        log_factors_read(self.request, [factor])
        scope = self.scope
        return render(
            self.request,
            "coordination/factor.html",
            {
                "factor": factor,
                "form": form,
                "shared_with": {
                    ShareUnit.DISTRICT if s.district_id else ShareUnit.CITY
                    for s in factor.shares.all()
                },
                "may_share": scope.contains(factor, register.SHARE),
                "units": ShareUnit.choices,
            },
            status=status,
        )

    def get(self, request, pk):
        factor = self.factor(pk)
        may_change = self.scope.contains(factor, CHANGE)
        form = FactorStatusForm(instance=factor, user=request.user) if may_change else None
        return self.render_factor(factor, form)

    def post(self, request, pk):
        factor = self.factor(pk)
        if not self.scope.contains(factor, CHANGE):
            raise PermissionDenied
        form = FactorStatusForm(request.POST, instance=factor, user=request.user)
        if form.is_valid() and save_in_scope(request.user, form, CHANGE) is not None:
            messages.success(request, _("Saved."))
            return redirect(factor)
        return self.render_factor(factor, form, status=400)


class FactorShareView(ScopedObjectMixin, View):
    """POST unit=district|city (and stop=1 to stop sharing), or hazard=1 to open its hazard."""

    model = Factor
    http_method_names = ["post"]

    def post(self, request, pk):
        factor = get_object_or_404(self.get_queryset().select_related("school__district"), pk=pk)
        if request.POST.get("hazard"):
            register.open_hazard(request.user, factor, reverse("coordination:factor", args=[pk]))
            messages.success(request, _("The hazard is in the ledger."))
            return redirect(factor)
        unit = request.POST.get("unit")
        if unit not in ShareUnit.values:
            return render(
                request,
                "400.html",
                {"message": _("Share with the district or the city.")},
                status=400,
            )
        service = register.unshare if request.POST.get("stop") else register.share
        service(request.user, factor, unit)
        messages.success(request, _("Saved."))
        return redirect(factor)


class FactorReportView(LoginRequiredMixin, View):
    """Report a factor from a phone: police liaisons and school staff."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not Scope.of(request.user).can(Factor, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        return render(
            self.request,
            "coordination/form.html",
            {"form": form, "heading": _("Report an instability factor"), "phone": True},
            status=status,
        )

    def get(self, request):
        initial = {"review_on": timezone.localdate() + REVIEW_AFTER}
        return self.render_form(FactorForm(user=request.user, initial=initial))

    def post(self, request):
        form = FactorForm(request.POST, user=request.user)
        form.instance.reported_by = request.user
        if form.is_valid():
            factor = save_in_scope(request.user, form, ADD)
            if factor is not None:
                messages.success(
                    request, _("Reported. The police of the school's station will see it.")
                )
                if Scope.of(request.user).contains(factor):
                    return redirect(factor)
                return redirect("home")
        return self.render_form(form, status=400)

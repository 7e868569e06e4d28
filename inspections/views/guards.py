"""School staff manage their guards' accounts: add one, give a new password, deactivate.

A principal or safety officer manages the guards of their schools (an
administrator everyone's); a guard who holds any other role is not theirs to
manage (accounts/guards.py). Another school's guard is a 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from accounts import guards
from accounts.models import RoleAssignment, User
from accounts.scope import SCHOOL_STAFF, VIEW
from campussafety.forms import style_form
from schools.models import School


def managed_schools(user):
    return School.objects.for_user(user, VIEW, roles=SCHOOL_STAFF)


class GuardForm(forms.Form):
    school = forms.ModelChoiceField(label=gettext_lazy("School"), queryset=School.objects.none())
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=50)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        style_form(self)

    def clean_username(self):
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class GuardsView(LoginRequiredMixin, FormView):
    """The guards of the user's schools, and the form adding one."""

    template_name = "inspections/guards.html"
    form_class = GuardForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.schools = managed_schools(request.user)
            if not self.schools.exists():
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "schools": self.schools}

    def get_context_data(self, **kwargs):
        assignments = RoleAssignment.objects.filter(
            user__in=guards.guards_of(self.schools), role="guard"
        ).select_related("user", "school")
        return super().get_context_data(
            assignments=assignments.order_by("school__name", "user__username"), **kwargs
        )

    def form_valid(self, form):
        user, password = guards.create_guard(
            form.cleaned_data["school"],
            form.cleaned_data["username"],
            form.cleaned_data["full_name"],
        )
        messages.success(
            self.request,
            _("Added %(user)s. First password (shown once): %(password)s")
            % {"user": user.username, "password": password},
        )
        return redirect("inspections:guards")


class GuardActionView(LoginRequiredMixin, View):
    """A new password for a guard, or their account (de)activated."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        if action not in ("reset", "activate", "deactivate"):
            raise Http404
        user = get_object_or_404(guards.guards_of(managed_schools(request.user)), pk=pk)
        if action == "reset":
            password = guards.reset_password(user)
            messages.success(
                request,
                _("New password for %(user)s (shown once): %(password)s")
                % {"user": user.username, "password": password},
            )
        else:
            guards.set_active(user, action == "activate")
            messages.success(request, _("Saved."))
        return redirect("inspections:guards")

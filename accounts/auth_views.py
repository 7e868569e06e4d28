"""The signed-in user's own sign-in settings, and the password pages.

Password change and reset are Django's views with the site's forms and
templates (templates/registration/); an administrator sets a password from the
user's admin page ("Reset password" on the password field).
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from accounts.tokens import active_tokens


class AccountView(LoginRequiredMixin, TemplateView):
    """The user's password and API tokens, each token with a revoke button."""

    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tokens=active_tokens(self.request.user), **kwargs)


class RevokeTokenView(LoginRequiredMixin, View):
    """POST `digest` (one token) or nothing (all of them): the user's own tokens only."""

    def post(self, request):
        tokens = active_tokens(request.user)
        digest = request.POST.get("digest")
        if digest is not None:
            tokens = tokens.filter(digest=digest)
        count, _deleted = tokens.delete()
        if count:
            messages.success(
                request,
                _("The token no longer works.")
                if digest
                else _("None of your API tokens works any more."),
            )
        else:
            # Already expired or revoked, or never the user's: nothing to tell apart.
            messages.info(request, _("There was no such token."))
        return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    # A plain-text mail in the site's words (Django's own is the admin's).
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

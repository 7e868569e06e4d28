from django.contrib.auth import forms as auth_forms

from campussafety.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    """Django's sign-in form, styled for the site."""


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    """Django's password change form (old password, new one twice), styled for the site."""


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    """Asks for an email address; mails a one-time link if an active user has it."""


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    """The new password, twice, after following the emailed link."""

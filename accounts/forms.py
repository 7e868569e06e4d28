from django.contrib.auth.forms import AuthenticationForm

from campussafety.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    """Django's sign-in form, styled for the site."""

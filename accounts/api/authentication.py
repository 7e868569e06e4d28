from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(auth.TokenAuthentication):
    """knox's `Authorization: Token <token>`, refusing a token that is not even text.

    knox decodes the header as UTF-8 unguarded, so stray bytes were a 500.
    """

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed() from None
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (knox then skips it), and nothing more.

        knox also reads every other token of the user on every request, to delete
        the expired ones: a query on each API call, the duty-log writes at the gate
        included. A sign-in deletes the user's expired tokens instead
        (accounts.tokens.issue_token), and an expired one is refused all the same.
        """
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class TokenScheme(KnoxTokenScheme):
    """Describes the scheme in the OpenAPI schema, as drf-spectacular does for knox's class."""

    target_class = TokenAuthentication
    name = "tokenAuth"

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


class TokenScheme(KnoxTokenScheme):
    """Describes the scheme in the OpenAPI schema, as drf-spectacular does for knox's class."""

    target_class = TokenAuthentication
    name = "tokenAuth"

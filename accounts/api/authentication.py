import binascii
from functools import cache
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import RoleAssignment
from accounts.scope import GRANT_COLUMNS, Scope
from campussafety.rows import Columns


class TokenAuthentication(auth.TokenAuthentication):
    """knox's `Authorization: Token <token>`, reading the token, its user and the user's
    roles in one query, and refusing a token that is not even text.

    knox reads the token with its user, and the scope (accounts/scope.py) then
    reads the user's roles: two round trips on every API call, the duty-log
    writes at the gate included. Here one statement reads all three; the
    digest is compared, and an expired token skipped, as knox does.
    """

    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        try:
            # knox decodes the header as UTF-8 unguarded, so stray bytes were a 500.
            token = token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed() from None
        for auth_token, rows in tokens_with_roles(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user, auth_token = self.validate_user(auth_token)
                user._campus_scope = Scope(user, rows)
                return user, auth_token
        raise AuthenticationFailed(message)

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (knox then skips it), and nothing more.

        knox also reads every other token of the user on every request, to delete
        the expired ones: a query on each API call, the duty-log writes at the gate
        included. A sign-in deletes the user's expired tokens instead
        (accounts.tokens.issue_token), and an expired one is refused all the same.
        """
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class _TokenQuery:
    """The SQL of tokens_with_roles(), written once per process."""

    def __init__(self, using):
        quote = connections[using].ops.quote_name
        self.token = Columns(get_token_model(), "t")
        self.user = Columns(get_user_model(), "u")
        # The roles read as the scope reads them (GRANT_COLUMNS), compiled by the ORM
        # once: a subquery joined to the token's user.
        grants = (
            RoleAssignment.objects.order_by()
            .annotate(grant_user=F("user_id"))
            .values_list("grant_user", "role", *GRANT_COLUMNS)
        )
        grants_sql, params = grants.query.get_compiler(using).as_sql()
        if params:
            raise ValueError("The role assignments' subquery takes no parameters.")
        token_opts, user_opts = self.token.model._meta, self.user.model._meta
        self.digest = self.token.names.index(token_opts.pk.attname)
        self.sql = (
            f"SELECT {self.token.select(using)}, {self.user.select(using)}, g.* "
            f"FROM {quote(token_opts.db_table)} t INNER JOIN {quote(user_opts.db_table)} u "
            f"ON u.{quote(user_opts.pk.column)} = t.{quote(token_opts.get_field('user').column)} "
            f"LEFT OUTER JOIN ({grants_sql}) g ON g.grant_user = u.{quote(user_opts.pk.column)} "
            f"WHERE t.{quote(token_opts.get_field('token_key').column)} = %s"
        )


@cache
def _token_query(using) -> _TokenQuery:
    return _TokenQuery(using)


def tokens_with_roles(token_key: str, using: str = "default"):
    """[(token with its user, the user's role rows as Scope reads them)] of the tokens
    whose key is `token_key`: one query."""
    query = _token_query(using)
    with connections[using].cursor() as cursor:
        cursor.execute(query.sql, [token_key])
        rows = cursor.fetchall()
    found = {}
    grants_start = query.token.width + query.user.width
    for row in rows:
        digest = row[query.digest]
        if digest not in found:
            auth_token = query.token.instance(row, 0, using)
            auth_token.user = query.user.instance(row, query.token.width, using)
            found[digest] = (auth_token, [])
        # (user id, role, *GRANT_COLUMNS): no role at all reads as a NULL user id.
        if row[grants_start] is not None:
            found[digest][1].append(tuple(row[grants_start + 1 :]))
    return list(found.values())


class TokenScheme(KnoxTokenScheme):
    """Describes the scheme in the OpenAPI schema, as drf-spectacular does for knox's class."""

    target_class = TokenAuthentication
    name = "tokenAuth"

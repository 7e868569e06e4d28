"""Template context of every page's header: the signed-in user's roles."""

from accounts.choices import Role
from accounts.scope import Scope


def roles(request):
    """The signed-in user's role names for the header, in the order of `Role`.

    The scope is the one the views use (cached on the user), so this costs no
    query a view has not already made; the callable keeps pages that never show
    the header from building a scope at all.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def user_roles():
        held = Scope.of(user).roles
        return [role.label for role in Role if role in held]

    return {"user_roles": user_roles}

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.scope import ADD, CHANGE, DELETE, Scope

OBJECT_ACTIONS = {"PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class ScopedModelPermission(BasePermission):
    """Signed-in users act on their scope; the model's `access` says which roles may write.

    Reads need no check here: every queryset is already restricted by
    `for_user`, so an object outside the scope is a 404 before this runs.
    """

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        model = getattr(view, "scoped_model", None)
        if model is None:
            return False
        if getattr(view, "action", None) == "create":
            return Scope.of(request.user).can(model, ADD)
        # Updates, deletes and actions on an object are decided per object,
        # after the scoped lookup, so that an object outside the scope is a 404
        # for everyone.
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        # A viewset names the scope action of its extra actions in
        # `object_actions` (e.g. {"countersign": "countersign"}).
        action = getattr(view, "object_actions", {}).get(view.action) or OBJECT_ACTIONS.get(
            request.method, CHANGE
        )
        return Scope.of(request.user).contains(obj, action)

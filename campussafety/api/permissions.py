from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.scope import CHANGE, DELETE, Scope

OBJECT_ACTIONS = {"PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class ScopedModelPermission(BasePermission):
    """Signed-in users act on their scope; the model's `access` says which roles may write.

    Reads need no check here: every queryset is already restricted by
    `for_user`, so an object outside the scope is a 404 before this runs.
    A create is not judged here either: whether the user "may add somewhere"
    says nothing about this object. Its related objects resolve through the
    write scope (campussafety/api/serializers.py), and the saved object is
    checked against the scope for adding (campussafety/api/viewsets.py).
    """

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        # Writes are only for views that say which scoped model they write.
        return getattr(view, "scoped_model", None) is not None

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        # A viewset names the scope action of its extra actions in
        # `object_actions` (e.g. {"countersign": "countersign"}).
        action = getattr(view, "object_actions", {}).get(view.action) or OBJECT_ACTIONS.get(
            request.method, CHANGE
        )
        return Scope.of(request.user).contains(obj, action)

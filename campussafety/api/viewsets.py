"""The viewset base every API endpoint uses.

The queryset is restricted to the user's scope before any view code sees it
(list, retrieve, update and delete all start from it), and a written object is
checked to still lie in the scope before the transaction commits.
"""

from django.db import transaction
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from accounts.scope import ADD, CHANGE, Scope


class ScopedViewSetMixin:
    @property
    def scoped_model(self):
        return self.queryset.model

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class ScopedReadOnlyModelViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    def perform_create(self, serializer):
        self._save_in_scope(serializer, ADD)

    def perform_update(self, serializer):
        self._save_in_scope(serializer, CHANGE)

    def _save_in_scope(self, serializer, action):
        with transaction.atomic():
            instance = serializer.save()
            if not Scope.of(self.request.user).contains(instance, action):
                # Raising inside the atomic block undoes the write.
                raise PermissionDenied()

"""The viewset base every API endpoint uses.

The queryset is restricted to the user's scope before any view code sees it
(list, retrieve, update and delete all start from it). Every write, whether a
create, an update or a custom action, goes through `write_in_scope`, which
re-checks what was written against the user's scope for that action inside
the transaction (accounts/scope.py). No viewset overrides create() or update()
around it: a service that does the writing is called from the serializer's
create()/update(), or from the action through `self.write_in_scope`.
"""

from rest_framework import viewsets

from accounts.scope import ADD, CHANGE, write_in_scope


class ScopedViewSetMixin:
    @property
    def scoped_model(self):
        return self.queryset.model

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)


class ScopedWriteMixin:
    """Creates, updates and custom actions keep only writes that land in the user's scope."""

    # Answer a write with the object read back through get_queryset(), for
    # viewsets whose representation needs its prefetches or annotations: True
    # for creates and updates, or the actions (ADD, CHANGE) that need it when
    # the service hands back the others with what the answer shows in memory.
    read_back_after_write: bool | frozenset = False

    def perform_create(self, serializer):
        self._saved(serializer, self.write_in_scope(ADD, serializer.save), ADD)

    def perform_update(self, serializer):
        self._saved(serializer, self.write_in_scope(CHANGE, serializer.save), CHANGE)

    def write_in_scope(self, action, write, changed=None):
        return write_in_scope(self.request.user, action, write, changed)

    def _saved(self, serializer, instance, action):
        read_back = self.read_back_after_write
        if read_back is True or (read_back and action in read_back):
            instance = self.get_queryset().get(pk=instance.pk)
        serializer.instance = instance


class ScopedModelViewSet(ScopedViewSetMixin, ScopedWriteMixin, viewsets.ModelViewSet):
    pass

"""Reads that may be answered by the read replica, and the router that sends them there.

With DATABASE_REPLICA_URL set (a PostgreSQL streaming-replication standby,
README "A read replica"), the bureau's read-only pages, the coverage and
indicator APIs and the exports read from the replica, so that a city's
dashboards do not compete with the schools' duty-log writes on the primary.
Everything else reads and writes the primary.

A view says it may read from the replica, and nothing more:

    @reads_from_replica                       # a function view
    def summary(request): ...

    @reads_from_replica                       # a class-based view or a DRF view
    class CoverageView(PageMixin, TemplateView): ...

    class ExportView(ReadsFromReplicaMixin, View): ...   # the same, as a mixin

While such a view runs (and renders its template), a context variable holds
its request; `ReplicaRouter`
reads it for every query. The rules, all here:

- writes (and select_for_update, get_or_create) always go to the primary;
- queries made before the user is known go to the primary: the sign-in
  itself, a session or an API token made moments ago may not have reached
  the replica yet;
- a user whose last write was under STICKY_SECONDS ago reads the primary, so
  they see their own write through the replica's lag. Any successful POST,
  PUT, PATCH or DELETE by a signed-in user (page or API token) starts the
  clock (`StickyPrimaryMiddleware`); the clock is kept in the cache, per
  user, so it holds across the web processes.

Without DATABASE_REPLICA_URL (or with REPLICA_READS off) every query goes to
the primary and the marks cost one context-variable lookup.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
# Longer than the replica's usual lag (well under a second on one LAN) with a
# wide margin; short enough that a bureau user's dashboards return to the
# replica soon after they change something.
STICKY_SECONDS = 5
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_reading: contextvars.ContextVar[_ReplicaRead | None] = contextvars.ContextVar(
    "campussafety_replica_read", default=None
)


def enabled() -> bool:
    return bool(getattr(settings, "REPLICA_READS", False)) and REPLICA in settings.DATABASES


def _pin_key(user_pk) -> str:
    return f"replica:primary-for:{user_pk}"


def pin_to_primary(user) -> None:
    """Send `user`'s replica-marked reads to the primary for the next STICKY_SECONDS."""
    cache.set(_pin_key(user.pk), 1, timeout=STICKY_SECONDS)


class _ReplicaRead:
    """The request of a marked view, and (once the user is known) where it reads."""

    __slots__ = ("request", "alias", "deciding")

    def __init__(self, request):
        self.request = request
        self.alias = None
        self.deciding = False

    def read_alias(self) -> str:
        if self.alias is not None:
            return self.alias
        if self.deciding:
            # Loading the session's user while deciding: that is the primary's.
            return DEFAULT_DB_ALIAS
        self.deciding = True
        try:
            user = getattr(self.request, "user", None)
            if user is None or not user.is_authenticated:
                # Not decided yet: a DRF token is authenticated inside the view
                # (and sets request.user then); its look-up reads the primary.
                return DEFAULT_DB_ALIAS
            self.alias = DEFAULT_DB_ALIAS if cache.get(_pin_key(user.pk)) else REPLICA
            return self.alias
        finally:
            self.deciding = False


def _answer(view, request, *args, **kwargs):
    """Call `view` with its reads on the replica, its template rendered there too.

    A TemplateResponse is rendered by the handler after the view returns, and
    the querysets a template iterates would otherwise run on the primary.
    """
    with replica_reads(request):
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and enabled():
            response = response.render()
    return response


@contextmanager
def replica_reads(request):
    """Let the queries made inside this block for `request` read from the replica."""
    if not enabled():
        yield
        return
    token = _reading.set(_ReplicaRead(request))
    try:
        yield
    finally:
        _reading.reset(token)


def reads_from_replica(view):
    """Mark a view (function, class-based or DRF) as one that may read from the replica."""
    if isinstance(view, type):
        dispatch = view.dispatch

        @wraps(dispatch)
        def marked_dispatch(self, request, *args, **kwargs):
            return _answer(partial(dispatch, self), request, *args, **kwargs)

        view.dispatch = marked_dispatch
        view.reads_from_replica = True
        return view

    @wraps(view)
    def marked(request, *args, **kwargs):
        return _answer(view, request, *args, **kwargs)

    marked.reads_from_replica = True
    return marked


class ReadsFromReplicaMixin:
    """The mixin form of @reads_from_replica, first among a class-based view's bases."""

    reads_from_replica = True

    def dispatch(self, request, *args, **kwargs):
        return _answer(super().dispatch, request, *args, **kwargs)


def current_read_alias() -> str:
    """Where a read made now goes: the replica inside a marked view, else the primary."""
    read = _reading.get()
    return read.read_alias() if read is not None else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """DATABASE_ROUTERS: reads of marked views to the replica, everything else to the primary."""

    def db_for_read(self, model, **hints):
        read = _reading.get()
        # None outside a marked view: Django's own choice (the primary).
        return read.read_alias() if read is not None else None

    def db_for_write(self, model, **hints):
        # Explicitly the primary: an object read from the replica keeps that
        # alias in its state, and Django would otherwise save it there.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: their rows are the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A streaming standby is read-only; it receives the schema from the primary.
        return db != REPLICA


class StickyPrimaryMiddleware:
    """After a successful write by a signed-in user, their reads stay on the primary a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in UNSAFE_METHODS
            and response.status_code < 400
            and enabled()
            # A DRF view sets request.user to the token's user when it authenticates.
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            pin_to_primary(request.user)
        return response

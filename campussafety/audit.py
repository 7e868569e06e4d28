"""The access log (PIPL): who changed personal data or saw a phone in full, when, and what.

django-auditlog records every save and delete of the models an app registers
(posts: members and their assignments; accounts: role assignments) with the
actor, the time, the client address and the changed fields. Personal data
never enters the log in clear: an app registers its ID-number hash as omitted
and its phones as masked (campussafety.personal.mask_phone). What auditlog's
signals do not see is logged here: a change made with a conditional update
(a verification decision), and each time a full phone number is shown.
"""

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from campussafety.client_ip import client_ip

# What an access entry says was shown.
PHONE_SHOWN = {"phone": ["", "shown in full"]}


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, with the client address this deployment trusts
    and an actor read when an entry is written.

    The API authenticates inside its views (a token), after this middleware
    ran: the actor is looked up when the log entry is saved, by then the
    request's user. auditlog's own address reading trusts any X-Forwarded-For.
    """

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_actor(request):
        def signed_in():
            user = getattr(request, "user", None)
            return user if user is not None and user.is_authenticated else None

        return SimpleLazyObject(signed_in)


def log_change(instance, actor, changes: dict, remote_addr=None) -> None:
    """Log a change auditlog's signals miss (a conditional update): {field: [old, new]}."""
    LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.UPDATE,
        changes={field: [str(old), str(new)] for field, (old, new) in changes.items()},
        actor=actor,
        remote_addr=remote_addr,
        force_log=True,
    )


def log_shown(request, objects, what: dict) -> None:
    """Log that the request's user was shown each of `objects` (one query; none if empty).

    `what` is the entry's changes, saying what was shown ({"phone": ["", "shown in full"]}).
    """
    objects = list(objects)
    if not objects:
        return
    user = request.user
    address = client_ip(request)
    content_type = ContentType.objects.get_for_model(objects[0])
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                action=LogEntry.Action.ACCESS,
                changes=what,
                actor=user if user.is_authenticated else None,
                remote_addr=address,
            )
            for obj in objects
        ]
    )


def log_phones_shown(request, objects) -> None:
    """Log that the request's user was shown the full phone of each of `objects`."""
    log_shown(request, objects, PHONE_SHOWN)


def history_by_data(model, limit: int = 100, **data):
    """The log entries of `model` whose additional data match `data`, newest first, with actors.

    A model registered with get_additional_data() (a guard rule: its city) is
    followed by that key rather than by row, so the history of "the city's rule"
    runs on across a rule removed and added again.
    """
    lookups = {f"additional_data__{key}": value for key, value in data.items()}
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), **lookups)
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )


def readable_changes(entry, model) -> list[tuple[str, str, str]]:
    """(field, old, new) of an entry as people read them: the field's (translated) name,
    yes or no for a checkbox, "—" for nothing. auditlog keeps every value as text."""

    def shown(field, value):
        if value in (None, "None", ""):
            return "—"
        if isinstance(field, models.BooleanField):
            return _("yes") if value == "True" else _("no")
        return value

    rows = []
    for name, (old, new) in (entry.changes_dict or {}).items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        label = str(field.verbose_name) if field is not None else name
        rows.append((label, shown(field, old), shown(field, new)))
    return rows


def history_of(objects_by_model: dict, limit: int = 100):
    """The log entries of the given objects ({model: [pks]}), newest first, with actors."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for model, pks in objects_by_model.items():
        condition |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )

"""The duty-log POST from the gate, without building DutyLogSerializer for it.

Most writes of the morning peak are the same request: a post period and a
day, logged as rostered, sometimes with the traffic counts and times. For
those, building DutyLogSerializer (about forty fields, the nested attendance)
and resolving the period through the ORM cost more CPU than the rest of the
write (README, "Duty logs"). DutyLogCreateSerializer takes them a shorter way
to the same rules:

- each field is checked by DutyLogSerializer's own field, built once per
  process, and the log by the model's clean(), as ScopedModelSerializer does;
- the post period, its school, district and city and the day's roster are
  read in one query (posts.dutylogs.period_with_roster), and the period must
  lie in the scope the serializer's field resolves it through, decided by the
  same grants in memory (Scope.reaches);
- the log is written by the same service (submit_log) through the viewset's
  write check (write_in_scope), and the answer is DutyLogSerializer's
  representation, by its own fields.

Anything else (attendance entries, a photo, a form body, a period given as
text) and anything refused takes DutyLogSerializer itself, so every error is
the one it gives, and a period outside the scope is a 400 or a 403 exactly
as there. This path never accepts what the serializer would refuse: each of
its checks is the serializer's, or stricter.
"""

from functools import cache

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from accounts.scope import ADD, VIEW, Scope
from posts import dutylogs
from posts.api.serializers import DutyLogSerializer, submit_validated
from posts.models import DutyLog

# The fields the lean path checks, each with DutyLogSerializer's field.
LEAN_FIELDS = ("date", *dutylogs.LOG_FIELDS)
# Ids beyond this go the serializer's way (which answers them as missing).
MAX_ID = 2**31 - 1


@cache
def _template() -> DutyLogSerializer:
    """A DutyLogSerializer without a request, whose fields are built once: they check
    input and write the answer without it (the photo's address, which needs the
    request, is left to a serializer of the request)."""
    return DutyLogSerializer(context={})


@cache
def _serializer_only_fields() -> frozenset:
    """Writable fields of DutyLogSerializer that only it handles (attendance, photo, reason)."""
    writable = {name for name, field in _template().fields.items() if not field.read_only}
    return frozenset(writable - {"post_period", *LEAN_FIELDS})


class DutyLogCreateSerializer(serializers.BaseSerializer):
    """DutyLogSerializer's create, taking the gate's common POST the short way."""

    def run_validation(self, data=empty):
        attrs = self.lean_attrs(data)
        if attrs is None:
            serializer = DutyLogSerializer(data=data, context=self.context)
            serializer.is_valid(raise_exception=True)
            return serializer.validated_data
        return attrs

    def lean_attrs(self, data) -> dict | None:
        """The validated data of a common POST, or None to let DutyLogSerializer judge it."""
        if type(data) is not dict or not _serializer_only_fields().isdisjoint(data):
            return None
        pk = data.get("post_period")
        if type(pk) is not int or not 0 < pk <= MAX_ID:
            return None
        fields = _template().fields
        attrs = {}
        for name in LEAN_FIELDS:
            if name in data:
                try:
                    attrs[name] = fields[name].run_validation(data[name])
                except (serializers.ValidationError, SkipField):
                    return None
        if "date" not in attrs:
            return None
        post_period, rostered = dutylogs.period_with_roster(pk, attrs["date"])
        # As the serializer's field resolves it: a period the user sees through a
        # role that may add duty logs (campussafety/api/serializers.py).
        if post_period is None or not Scope.of(self.context["request"].user).reaches(
            post_period, VIEW, roles=DutyLog.access.get(ADD, ())
        ):
            return None
        try:
            DutyLog(post_period=post_period, **attrs).clean()
        except DjangoValidationError:
            return None
        return {
            **attrs,
            "post_period": post_period,
            "attendance_entries": None,
            "reason": "",
            "rostered": rostered,
        }

    def create(self, validated_data):
        return submit_validated(self.context["request"].user, validated_data)

    def to_representation(self, log):
        if log.photo:
            # Its address is absolute, made from the request.
            return DutyLogSerializer(log, context=self.context).data
        return _template().to_representation(log)

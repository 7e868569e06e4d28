"""Serializer bases: related objects resolve through the user's scope for the write."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from accounts.scope import ADD, CHANGE, VIEW, Scope
from campussafety.dates import check_date_bounds


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object resolves through the scope of the write that names it.

    A serializer writing model M (a ModelSerializer, or a plain one declaring
    `scope_write = (M, action)`) may name only objects the user sees through a
    role that may add (or, on update, change) M. So a principal who is also the
    police liaison elsewhere may name the police school's objects in a read,
    but not in a duty log they write. An object the user cannot see at all
    fails exactly like a missing one (400); one they see but may not write
    through is a 403. Without a request, or without a write to judge by, the
    field resolves nothing: it fails closed.

    `action` instead resolves the related model's own scope for that action,
    for a field naming the object an action works on (as a detail route's URL
    would), whose own rights the view then checks.
    """

    default_error_messages = {
        "not_writable": _("You may see this object but not use it in this change."),
    }

    def __init__(self, *, action=None, **kwargs):
        self.scope_action = action
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        if self.scope_action is not None:
            return queryset.for_user(request.user, self.scope_action)
        target = write_target(self.root)
        if target is None:
            return queryset.none()
        model, action = target
        return queryset.for_user(request.user, VIEW, roles=model.access.get(action, ()))

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            self.refuse_if_visible([data])
            raise

    def resolve_many(self, pks) -> dict:
        """{pk: object} for `pks` in one query; a ValidationError names what did not resolve."""
        found = self.get_queryset().in_bulk(pks)
        missing = [pk for pk in pks if pk not in found]
        if missing:
            self.refuse_if_visible(missing)
            raise serializers.ValidationError(
                [self.error_messages["does_not_exist"].format(pk_value=pk) for pk in missing]
            )
        return found

    def refuse_if_visible(self, pks):
        request = self.context.get("request")
        if request is None or self.scope_action is not None:
            return
        try:
            visible = super().get_queryset().for_user(request.user).filter(pk__in=pks).exists()
        except (TypeError, ValueError, DjangoValidationError):
            return
        if visible:
            raise PermissionDenied(self.error_messages["not_writable"])


def write_target(serializer):
    """(model, action) of the write `serializer` makes, or None when it makes none."""
    declared = getattr(serializer, "scope_write", None)
    if declared is not None:
        return declared
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None:
        return None
    return model, CHANGE if serializer.instance is not None else ADD


class DateField(serializers.DateField):
    """A date within the site's bounds (campussafety/dates.py): every date the API reads."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(check_date_bounds)


# {serializer class: its fields as ModelSerializer built them}; see FieldsOnceModelSerializer.
_BUILT_FIELDS: dict[type, dict] = {}


class FieldsOnceModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that maps its model's fields once per class, not once per instance.

    ModelSerializer.get_fields() introspects the model on every instantiation:
    for a duty-log POST (the log and its nested attendance) that was about a
    third of the request's CPU. The keyword arguments it works out depend only
    on the class and its Meta, so they are worked out once and each instance
    gets fresh fields made from them, as DRF makes them (a deep copy costs more
    than the introspection: it copies the model fields and validators the
    arguments name). Declared fields are deep-copied as DRF copies them. A
    subclass that adapts its fields to the instance or the request does so in
    its own get_fields(), on these fresh fields.
    """

    def get_fields(self):
        built = _BUILT_FIELDS.get(type(self))
        if built is None:
            built = _BUILT_FIELDS[type(self)] = super().get_fields()
        declared = self._declared_fields
        return {
            name: copy.deepcopy(field) if name in declared else _fresh(field)
            for name, field in built.items()
        }


def _fresh(field: serializers.Field) -> serializers.Field:
    """A new field made as `field` was; one wrapping another field (a many-to-many's
    child, bound to its parent) is deep-copied instead, as DRF copies it."""
    arguments = (*field._args, *field._kwargs.values())
    if any(isinstance(argument, serializers.Field) for argument in arguments):
        return copy.deepcopy(field)
    return type(field)(*field._args, **field._kwargs)


class ScopedModelSerializer(FieldsOnceModelSerializer):
    """Scoped related fields, bounded dates, and the model's own clean() as object-level
    validation.

    Running Model.clean() here keeps each cross-field rule in one place for the
    admin, the HTML forms and the API.
    """

    serializer_related_field = ScopedPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
    }

    @property
    def scope(self) -> Scope:
        return Scope.of(self.context["request"].user)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = self.instance or model()
        if self.instance is not None:
            # Validate a copy so a rejected update leaves the instance untouched.
            instance = model._default_manager.get(pk=self.instance.pk)
        for field, value in attrs.items():
            field_obj = model._meta.get_field(field)
            if not field_obj.many_to_many:
                setattr(instance, field, value)
        try:
            instance.clean()
            self.check_instance(instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs

    def check_instance(self, instance):
        """A rule of this write kept outside the model's clean() (a domain app's rule on a
        model another app owns), run on the same unsaved copy; raises Django's
        ValidationError, as clean() does, so a page's form can call the same function."""

"""Serializer bases: related objects resolve through the user's scope."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.scope import Scope


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object outside the user's scope fails exactly like a missing one (400)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None or not hasattr(queryset, "for_user"):
            return queryset
        return queryset.for_user(request.user)


class ScopedModelSerializer(serializers.ModelSerializer):
    """Scoped related fields, and the model's own clean() as object-level validation.

    Running Model.clean() here keeps each cross-field rule in one place for the
    admin, the HTML forms and the API.
    """

    serializer_related_field = ScopedPrimaryKeyRelatedField

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
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs

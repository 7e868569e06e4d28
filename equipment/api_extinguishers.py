"""The extinguisher check API: start a school's check, answer each extinguisher, finish it.

Included from campussafety/urls.py beside the checks API. Each write is a
service of equipment/extinguishers.py (checked there by write_in_scope); the
actions need the scope's "add" on the check (the school's staff). A piece
outside the user's scope named in an answer is a 400.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from campussafety.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from campussafety.api.viewsets import ScopedModelViewSet
from equipment import extinguishers
from equipment.api_checks import CREATE_AND_READ, as_drf
from equipment.models import ExtinguisherAnswer, ExtinguisherCheck, Item


class ExtinguisherAnswerSerializer(serializers.ModelSerializer):
    item = ScopedPrimaryKeyRelatedField(queryset=Item.objects.all())

    class Meta:
        model = ExtinguisherAnswer
        fields = ["id", "item", "passed", "note", "photo", "answered_by", "created"]
        read_only_fields = ["answered_by", "created"]


class ExtinguisherCheckSerializer(ScopedModelSerializer):
    answers = ExtinguisherAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = ExtinguisherCheck
        fields = [
            "id",
            "school",
            "window_start",
            "window_end",
            "checked_by",
            "started_at",
            "finished_at",
            "answers",
        ]
        read_only_fields = [
            "window_start",
            "window_end",
            "checked_by",
            "started_at",
            "finished_at",
        ]

    def create(self, validated_data):
        try:
            return extinguishers.start_check(self.context["request"].user, validated_data["school"])
        except DjangoValidationError as error:
            raise as_drf(error) from error


class ExtinguisherCheckViewSet(ScopedModelViewSet):
    """POST a school to start its check; `answer` one piece; `finish` once all are answered."""

    queryset = ExtinguisherCheck.objects.prefetch_related("answers")
    serializer_class = ExtinguisherCheckSerializer
    filterset_fields = ["school"]
    ordering_fields = ["started_at"]
    http_method_names = CREATE_AND_READ
    object_actions = {"answer": "add", "finish": "add"}

    @action(detail=True, methods=["post"], serializer_class=ExtinguisherAnswerSerializer)
    def answer(self, request, pk=None):
        check = self.get_object()
        data = ExtinguisherAnswerSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            result = extinguishers.answer(
                request.user,
                check,
                values["item"],
                passed=values["passed"],
                note=values.get("note", ""),
                photo=values.get("photo"),
            )
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return Response(ExtinguisherAnswerSerializer(result).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        check = self.get_object()
        try:
            extinguishers.finish_check(request.user, check)
        except DjangoValidationError as error:
            raise as_drf(error) from error
        return Response(self.get_serializer(check).data)


router = SimpleRouter()
router.register("extinguisher-checks", ExtinguisherCheckViewSet)

urlpatterns = router.urls

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.scope import CHANGE, Scope
from campussafety import audit
from campussafety.api.pagination import CursorPagination, KeysetPagination
from campussafety.api.viewsets import ScopedModelViewSet, ScopedViewSetMixin
from campussafety.ids import id_or_404
from campussafety.replica import reads_from_replica
from posts import coverage, dutylogs, members, rosters
from posts.api import serializers
from posts.api.dutylog_create import DutyLogCreateSerializer
from posts.coverage_by_school import CoverageBySchool
from posts.filtersets import (
    DutyLogFilterSet,
    MemberAssignmentFilterSet,
    MemberFilterSet,
    PostFilterSet,
    PostPeriodFilterSet,
    RosterRuleFilterSet,
    ShiftFilterSet,
)
from posts.models import (
    DutyAttendance,
    DutyLog,
    GuardRule,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from schools.filtersets import SchoolSelectionFilterSet
from schools.models import School

DATE_RANGE = [
    OpenApiParameter("start", OpenApiTypes.DATE, required=True),
    OpenApiParameter("end", OpenApiTypes.DATE, required=True),
]


class MemberViewSet(ScopedModelViewSet):
    # assignments: the `schools` field.
    queryset = Member.objects.prefetch_related("assignments")
    serializer_class = serializers.MemberSerializer
    filterset_class = MemberFilterSet
    ordering_fields = ["name", "created", "verification_status"]
    object_actions = {"verify": "verify"}
    # So the answer knows whether the phone may be shown.
    read_back_after_write = True

    def get_queryset(self):
        return super().get_queryset().with_phone_visibility(self.request.user)

    def get_serializer_context(self):
        # The serializer notes each member whose full phone it writes out.
        if not hasattr(self, "phones_shown"):
            self.phones_shown = {}
        return {**super().get_serializer_context(), "phones_shown": self.phones_shown}

    def finalize_response(self, request, response, *args, **kwargs):
        shown = getattr(self, "phones_shown", {})
        if shown and response.status_code < 400:
            audit.log_phones_shown(request, shown.values())
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        request=serializers.VerificationSerializer, responses=serializers.MemberSerializer
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Verify a member (核验登记) or reject them with a reason.

        District staff and police liaisons of the member's schools decide.
        """
        member = self.get_object()
        decision = serializers.VerificationSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        self.write_in_scope(
            "verify",
            lambda: members.record_decision(
                member,
                request.user,
                decision.validated_data["decision"],
                decision.validated_data.get("reason", ""),
            ),
            changed=lambda _: member,
        )
        return Response(self.get_serializer(self.get_object()).data)


class MemberAssignmentViewSet(ScopedModelViewSet):
    queryset = MemberAssignment.objects.all()
    serializer_class = serializers.MemberAssignmentSerializer
    filterset_class = MemberAssignmentFilterSet
    ordering_fields = ["start_date"]


class PostViewSet(ScopedModelViewSet):
    # gate: gate_name; periods: the nested list.
    queryset = Post.objects.select_related("gate").prefetch_related("periods")
    serializer_class = serializers.PostSerializer
    filterset_class = PostFilterSet
    ordering_fields = ["name"]


class PostPeriodViewSet(ScopedModelViewSet):
    queryset = PostPeriod.objects.all()
    serializer_class = serializers.PostPeriodSerializer
    filterset_class = PostPeriodFilterSet
    ordering_fields = ["start_time"]


class GuardRuleViewSet(ScopedModelViewSet):
    """Everyone in scope reads the rules that apply to them (their city's and the national
    default); city staff add, change and remove their city's, administrators any."""

    queryset = GuardRule.objects.all()
    serializer_class = serializers.GuardRuleSerializer
    filterset_fields = ["city"]


class RosterRuleViewSet(ScopedModelViewSet):
    queryset = RosterRule.objects.all()
    serializer_class = serializers.RosterRuleSerializer
    filterset_class = RosterRuleFilterSet
    ordering_fields = ["weekday"]


class ShiftViewSet(ScopedModelViewSet):
    # member: member_name; post_period: period and post.
    queryset = Shift.objects.select_related("member", "post_period")
    serializer_class = serializers.ShiftSerializer
    filterset_class = ShiftFilterSet
    ordering_fields = ["date"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    object_actions = {"replace": "change", "swap": "change"}

    def perform_destroy(self, instance):
        rosters.remove_shift(instance)

    @extend_schema(
        request=serializers.ReplaceMemberSerializer, responses=serializers.ShiftSerializer
    )
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """Someone else stands this shift (conflicts are checked)."""
        shift = self.get_object()
        data = serializers.ReplaceMemberSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        new = self.write_in_scope(
            CHANGE,
            lambda: rosters.replace_member(shift, data.validated_data["member"]),
            # The replaced shift may be gone (a manual one is deleted): check what stands.
            changed=lambda new: new,
        )
        return Response(self.get_serializer(new).data)

    @extend_schema(
        request=serializers.SwapSerializer, responses=serializers.ShiftSerializer(many=True)
    )
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        """Two members exchange their shifts (conflicts are checked)."""
        shift = self.get_object()
        data = serializers.SwapSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        first, second = self.write_in_scope(
            CHANGE,
            lambda: rosters.swap_shifts(shift, data.validated_data["other_shift"]),
            changed=lambda pair: pair,
        )
        return Response(self.get_serializer([first, second], many=True).data)

    @extend_schema(request=serializers.GenerateSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Generate a post's shifts from its weekly pattern, keeping manual edits."""
        data = serializers.GenerateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        post = data.validated_data["post"]
        # Changing a post's roster is changing the post's shifts: the roster
        # writers of the post's school may, its police liaison may not.
        result = self.write_in_scope(
            CHANGE,
            lambda: rosters.generate_shifts(
                post.periods.all(), data.validated_data["start"], data.validated_data["end"]
            ),
            changed=lambda _: post,
        )
        problems = rosters.roster_problems(
            post.periods.all(), data.validated_data["start"], data.validated_data["end"]
        )
        return Response(
            {
                "created": result.created,
                "removed": result.removed,
                "kept_manual": result.kept_manual,
                "problems": serializers.RosterProblemSerializer(problems, many=True).data,
            }
        )

    @extend_schema(
        parameters=[*DATE_RANGE, OpenApiParameter("school", OpenApiTypes.INT)],
        responses=serializers.RosterProblemSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def problems(self, request):
        """Rostered post periods that break minimum staffing or the qualified share."""
        query = serializers.DateRangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        periods = PostPeriod.objects.for_user(request.user)
        school = request.query_params.get("school")
        if school:
            periods = periods.filter(
                post__school=get_object_or_404(
                    School.objects.for_user(request.user), pk=id_or_404(school)
                )
            )
        found = rosters.roster_problems(
            periods, query.validated_data["start"], query.validated_data["end"]
        )
        return Response(serializers.RosterProblemSerializer(found, many=True).data)


class DutyLogViewSet(ScopedModelViewSet):
    # attendance with each member's name and kind.
    queryset = DutyLog.objects.select_related("post_period").prefetch_related(
        Prefetch(
            "attendance",
            queryset=DutyAttendance.objects.select_related("member").order_by(
                *dutylogs.ATTENDANCE_ORDER
            ),
        )
    )
    serializer_class = serializers.DutyLogSerializer
    filterset_class = DutyLogFilterSet
    ordering_fields = ["date", "school"]
    # A city's logs are millions: pages by position, never counted.
    pagination_class = CursorPagination
    cursor_ordering = ("-date", "school_id", "post_period_id")
    object_actions = {"countersign": "countersign", "return_to_school": "countersign"}

    # attendance and its members, for the answer to an edit; a new log comes
    # back from the service with them in memory (posts/dutylogs.py).
    read_back_after_write = frozenset({CHANGE})

    def get_serializer_class(self):
        # The gate's POST takes a shorter way to the same rules and answer
        # (posts/api/dutylog_create.py); the write check is the same. The schema
        # describes it by DutyLogSerializer, whose input and answer it shares.
        if self.action == "create" and not getattr(self, "swagger_fake_view", False):
            return DutyLogCreateSerializer
        return super().get_serializer_class()

    def perform_destroy(self, instance):
        dutylogs.delete_log(instance)

    @extend_schema(
        request=serializers.CountersignSerializer, responses=serializers.DutyLogSerializer
    )
    @action(detail=True, methods=["post"])
    def countersign(self, request, pk=None):
        """The police liaison countersigns the log, with an optional remark; it is then
        closed to school staff.

        A second countersignature, even at the same instant, answers 409.
        """
        data = self.police_input(serializers.CountersignSerializer)
        log = self.write_in_scope(
            "countersign",
            lambda: dutylogs.countersign(
                request.user, self.get_object(), remark=data.get("remark", "")
            ),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=log.pk)).data)

    @extend_schema(request=serializers.ReturnSerializer, responses=serializers.DutyLogSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_school(self, request, pk=None):
        """The police liaison returns the log to the school with a reason (required).

        The school sees the reason and fixes the log, whatever its day; saving it
        resubmits it. A countersigned log answers 409.
        """
        data = self.police_input(serializers.ReturnSerializer)
        log = self.write_in_scope(
            "countersign",
            lambda: dutylogs.return_log(request.user, self.get_object(), data.get("reason", "")),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=log.pk)).data)

    @extend_schema(
        request=serializers.CountersignDaySerializer,
        responses=serializers.CountersignDayResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="countersign-day", url_name="countersign-day")
    def countersign_day(self, request):
        """The police liaison countersigns a day's compliant logs with one request, as the
        page's bulk countersign does.

        `ids` names the logs (all of the day's countersignable ones when left out);
        a named log the user cannot see answers 400, one they see but may not
        countersign 403. Named logs that no longer meet the rules, or were signed
        or returned meanwhile, are left out and listed as such.
        """
        data = self.police_input(serializers.CountersignDaySerializer)
        user, day = request.user, data["date"]
        if "ids" in data:
            named = dutylogs.named_logs(user, data["ids"])
            ids = [log.pk for log in named]
        elif not Scope.of(user).can(DutyLog, "countersign"):
            raise PermissionDenied(_("Only police liaisons countersign duty logs."))
        else:
            ids = list(dutylogs.countersignable(user, day).values_list("pk", flat=True))
            named = [DutyLog(pk=pk) for pk in ids]
        signed = self.write_in_scope(
            "countersign",
            lambda: dutylogs.countersign_many(user, day, ids),
            # Every named log, signed or not, must be the user's to countersign.
            changed=lambda signed: named,
        )
        left_out = sorted(set(ids) - set(signed))
        return Response({"date": day, "countersigned": sorted(signed), "left_out": left_out})

    def police_input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(responses=serializers.DutyLogRevisionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change made to the log after it was submitted, newest first."""
        log = self.get_object()
        return Response(serializers.DutyLogRevisionSerializer(log.revisions.all(), many=True).data)


@reads_from_replica
class CoverageView(ScopedViewSetMixin, generics.GenericAPIView):
    """Coverage of school days by duty logs, by school, district, city or day."""

    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    serializer_class = serializers.CoverageRowSerializer
    # `ordering` sorts the computed rows, not the schools.
    filter_backends = [DjangoFilterBackend]

    @extend_schema(
        parameters=[
            *DATE_RANGE,
            OpenApiParameter(
                "group_by", OpenApiTypes.STR, enum=["school", "district", "city", "day"]
            ),
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=list(coverage.ORDERINGS),
            ),
        ],
        responses=serializers.CoverageRowSerializer(many=True),
    )
    def get(self, request):
        query = serializers.CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        schools = self.filter_queryset(self.get_queryset())
        ordering = params.get("ordering") or "label"
        if params["group_by"] == "school":
            # Thousands of schools: sorted and paged in the database.
            rows = CoverageBySchool(schools, params["start"], params["end"], ordering)
        else:
            rows = coverage.coverage(schools, params["start"], params["end"], params["group_by"])
            rows = coverage.sort_rows(rows, ordering)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@reads_from_replica
class MissedDaysView(ScopedViewSetMixin, generics.GenericAPIView):
    """School days on which a school left a required post period unlogged: no log at all
    (status missed) or some periods only (partial, naming the missing ones).

    Oldest first, by day and then school, a page at a time by position (`cursor`,
    `page_size`: 50 by default, at most 500): follow `next` until it is null, or
    `previous` back. Pages carry no count.
    """

    queryset = School.objects.all()
    filterset_class = SchoolSelectionFilterSet
    serializer_class = serializers.MissedDaySerializer
    # The days come in one order, by day and school: no `ordering`.
    filter_backends = [DjangoFilterBackend]
    # A city's year is half a million school days: paged by position (the last day and
    # school of a page), never counted.
    pagination_class = KeysetPagination

    @extend_schema(parameters=DATE_RANGE, responses=serializers.MissedDaySerializer(many=True))
    def get(self, request):
        query = serializers.DateRangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        schools = self.filter_queryset(self.get_queryset())
        missed = coverage.missed_days(
            schools, query.validated_data["start"], query.validated_data["end"]
        )
        page = coverage.with_missing_periods(self.paginate_queryset(missed))
        names = dict(
            School.objects.filter(pk__in={item.school_id for item in page}).values_list(
                "pk", "name"
            )
        )
        # Each period written (and its label translated) once, however many days lack it.
        periods = {
            period.pk: {"post_period": period.pk, "post": period.post_id, "label": str(period)}
            for period in {period for item in page for period in item.missing}
        }
        rows = [
            {
                "school": item.school_id,
                "school_name": names[item.school_id],
                "date": item.date,
                "status": item.status,
                "missing_periods": [periods[period.pk] for period in item.missing],
            }
            for item in page
        ]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

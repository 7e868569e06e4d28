from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.scope import CHANGE, VIEW
from campussafety import personal
from campussafety.api.serializers import (
    DateField,
    FieldsOnceModelSerializer,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from campussafety.dates import date_range_errors
from posts import coverage, dutylogs, members, rosters
from posts.choices import CoverageStatus
from posts.models import (
    DutyAttendance,
    DutyLog,
    DutyLogRevision,
    GuardRule,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from posts.models.guards import GUARD_RULE_FIELDS
from schools.models import School


class MemberSerializer(ScopedModelSerializer):
    id_number = serializers.CharField(
        write_only=True,
        max_length=32,
        help_text=_("18 characters; stored only as a keyed hash and a masked form."),
    )
    id_number_masked = serializers.CharField(read_only=True)
    phone = serializers.CharField(max_length=20, help_text=_("Masked unless you may call them."))
    school = ScopedPrimaryKeyRelatedField(
        queryset=School.objects.all(),
        write_only=True,
        required=False,
        help_text=_("On registration: the school the member serves (required then)."),
    )
    assignment_start = DateField(write_only=True, required=False)
    schools = serializers.SerializerMethodField()
    is_qualified_today = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "kind",
            "unit_kind",
            "unit_name",
            "phone",
            "id_number",
            "id_number_masked",
            "police_number",
            "guard_certificate_number",
            "guard_certificate_expiry",
            "badge_number",
            "photo",
            "is_active",
            "verification_status",
            "verified_by",
            "verified_at",
            "rejection_reason",
            "is_qualified_today",
            "schools",
            "school",
            "assignment_start",
            "created",
            "updated",
        ]
        read_only_fields = [
            "verification_status",
            "verified_by",
            "verified_at",
            "rejection_reason",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # The ID number is only required on registration.
            fields["id_number"].required = False
        return fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_schools(self, member) -> list[int]:
        today = timezone.localdate()
        return sorted(
            a.school_id
            for a in member.assignments.all()
            if a.start_date <= today and (a.end_date is None or a.end_date >= today)
        )

    def get_is_qualified_today(self, member) -> bool:
        return member.is_qualified_on(timezone.localdate())

    def to_representation(self, member):
        data = super().to_representation(member)
        if not getattr(member, "phone_visible", False):
            data["phone"] = personal.mask_phone(member.phone)
        elif "phones_shown" in self.context:
            # Logged by the view once the answer is made (campussafety/audit.py).
            self.context["phones_shown"][member.pk] = member
        return data

    def validate_id_number(self, value):
        try:
            return personal.validate_id_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_phone(self, value):
        try:
            return personal.submitted_phone(value, self.instance.phone if self.instance else "")
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate(self, attrs):
        if self.instance is None and "school" not in attrs:
            raise serializers.ValidationError({"school": _("Name the school this member serves.")})
        number = attrs.pop("id_number", None)
        school = attrs.pop("school", None)
        start = attrs.pop("assignment_start", None)
        attrs = super().validate(attrs)
        if number is not None:
            # The registry's rules are shared with the HTML forms (posts/members.py).
            try:
                attrs.update(
                    members.identity_values(
                        number,
                        self.instance,
                        user=getattr(self.context.get("request"), "user", None),
                        school=school,
                    )
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from None
        attrs["_school"], attrs["_start"] = school, start
        return attrs

    def create(self, validated_data):
        school = validated_data.pop("_school")
        start = validated_data.pop("_start")
        return members.register(validated_data, school, start)

    def update(self, instance, validated_data):
        validated_data.pop("_school")
        validated_data.pop("_start")
        validated_data.update(members.reverification(instance, validated_data))
        return super().update(instance, validated_data)


class VerificationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("verified", _("Verified")), ("rejected", _("Rejected"))]
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs):
        try:
            members.check_decision(attrs["decision"], attrs.get("reason", ""))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class MemberAssignmentSerializer(ScopedModelSerializer):
    class Meta:
        model = MemberAssignment
        fields = ["id", "member", "school", "start_date", "end_date", "created", "updated"]

    def validate(self, attrs):
        if self.instance is not None and "member" not in attrs:
            # Changing an assignment (reopening an ended one) re-assigns its
            # member: the member must still be reachable, as on a new assignment.
            request = self.context.get("request")
            user = request.user if request else None
            if (
                not Member.objects.for_user(user, CHANGE)
                .filter(pk=self.instance.member_id)
                .exists()
            ):
                raise serializers.ValidationError(
                    {"member": _("This member no longer serves your school.")}
                )
        return super().validate(attrs)


class PostPeriodSerializer(ScopedModelSerializer):
    class Meta:
        model = PostPeriod
        fields = [
            "id",
            "post",
            "period",
            "start_time",
            "end_time",
            "min_members",
            "min_police",
            "is_required",
            "created",
            "updated",
        ]


class NestedPostPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostPeriod
        fields = [
            "id",
            "period",
            "start_time",
            "end_time",
            "min_members",
            "min_police",
            "is_required",
        ]


class PostSerializer(ScopedModelSerializer):
    periods = NestedPostPeriodSerializer(many=True, read_only=True)
    gate_name = serializers.CharField(source="gate.name", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "school",
            "gate",
            "gate_name",
            "name",
            "is_active",
            "periods",
            "created",
            "updated",
        ]


class GuardRuleSerializer(ScopedModelSerializer):
    """A city's guard rule (city empty: the national default, administrators only). The
    checks are the model's (GuardRule.clean(), run by ScopedModelSerializer), as on the page.
    """

    class Meta:
        model = GuardRule
        fields = ["id", "city", *GUARD_RULE_FIELDS, "updated"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # A rule stays its city's: another city adds its own.
            fields["city"].read_only = True
        return fields


class RosterRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = RosterRule
        fields = ["id", "post_period", "weekday", "member", "created", "updated"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        period = attrs.get("post_period", getattr(self.instance, "post_period", None))
        member = attrs.get("member", getattr(self.instance, "member", None))
        weekday = attrs.get("weekday", getattr(self.instance, "weekday", None))
        try:
            members.check_roster_rule(period, member, weekday, rule=self.instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class ShiftSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    period = serializers.CharField(source="post_period.period", read_only=True)
    post = serializers.IntegerField(source="post_period.post_id", read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "school",
            "post",
            "post_period",
            "period",
            "date",
            "member",
            "member_name",
            "origin",
            "is_cancelled",
            "note",
            "created",
            "updated",
        ]
        read_only_fields = ["school", "origin", "is_cancelled"]

    def create(self, validated_data):
        # Conflicts (the member elsewhere at that time, not assigned, ...) are the roster's rules.
        return rosters.add_shift(
            validated_data["member"],
            validated_data["post_period"],
            validated_data["date"],
            validated_data.get("note", ""),
        )


class ReplaceMemberSerializer(serializers.Serializer):
    scope_write = (Shift, CHANGE)
    member = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all())


class SwapSerializer(serializers.Serializer):
    scope_write = (Shift, CHANGE)
    other_shift = ScopedPrimaryKeyRelatedField(queryset=Shift.objects.filter(is_cancelled=False))


class DateRangeSerializer(serializers.Serializer):
    start = DateField()
    end = DateField()
    max_days = coverage.MAX_RANGE_DAYS

    def validate(self, attrs):
        errors = date_range_errors(attrs["start"], attrs["end"], self.max_days)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class GenerateSerializer(DateRangeSerializer):
    # The post whose roster is generated, named as a detail route's URL would
    # name it: one the user cannot see fails like a missing one; the right to
    # change its roster is the view's write check.
    post = ScopedPrimaryKeyRelatedField(queryset=Post.objects.all(), action=VIEW)
    max_days = rosters.MAX_GENERATED_DAYS


class RosterProblemSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post_period.post_id")
    post_name = serializers.CharField(source="post_period.post.name")
    school = serializers.IntegerField(source="post_period.post.school_id")
    post_period = serializers.IntegerField(source="post_period.pk")
    period = serializers.CharField(source="post_period.period")
    date = serializers.DateField()
    members = serializers.IntegerField(source="staffing.present")
    police = serializers.IntegerField(source="staffing.police")
    qualified = serializers.IntegerField(source="staffing.qualified")
    reasons = serializers.ListField(child=serializers.CharField())


# More than any post is staffed with, and few enough to check in one request.
MAX_ATTENDANCE = 200


class AttendanceListSerializer(serializers.ListSerializer):
    """Attendance entries, bounded in number, with their members resolved in one query."""

    def to_internal_value(self, data):
        entries = super().to_internal_value(data)
        member_field = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all())
        member_field.bind("member", self)
        pks = list(dict.fromkeys(entry["member"] for entry in entries))
        try:
            found = member_field.resolve_many(pks)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"member": exc.detail}) from None
        return [{**entry, "member": found[entry["member"]]} for entry in entries]


class AttendanceInputSerializer(serializers.Serializer):
    # Resolved for the whole list at once (AttendanceListSerializer).
    member = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    present = serializers.BooleanField(default=True)

    class Meta:
        list_serializer_class = AttendanceListSerializer


class DutyAttendanceSerializer(FieldsOnceModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    member_kind = serializers.CharField(source="member.kind", read_only=True)

    class Meta:
        model = DutyAttendance
        fields = [
            "member",
            "member_name",
            "member_kind",
            "was_rostered",
            "present",
            "is_police",
            "is_qualified",
        ]


def police_text(help_text):
    """A police liaison's words on a log. Whether they are required is the service's
    rule (posts/dutylogs.py), so the page and the API say the same."""
    return serializers.CharField(
        required=False, allow_blank=True, max_length=dutylogs.REMARK_LENGTH, help_text=help_text
    )


class CountersignSerializer(serializers.Serializer):
    remark = police_text(_("An optional remark."))


class ReturnSerializer(serializers.Serializer):
    reason = police_text(_("What the school must fix; the school sees it. Required."))


class CountersignDaySerializer(serializers.Serializer):
    date = DateField(help_text=_("The day whose logs are countersigned."))
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=dutylogs.COUNTERSIGN_DAY_LIMIT,
        help_text=_(
            "The logs to countersign; all of the day's compliant logs waiting for a "
            "countersignature when left out."
        ),
    )


class CountersignDayResultSerializer(serializers.Serializer):
    date = serializers.DateField()
    countersigned = serializers.ListField(child=serializers.IntegerField())
    left_out = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=_("Named logs not countersigned: not compliant, already signed or returned."),
    )


class DutyLogSerializer(ScopedModelSerializer):
    attendance = DutyAttendanceSerializer(many=True, read_only=True)
    attendance_input = AttendanceInputSerializer(
        many=True,
        max_length=MAX_ATTENDANCE,
        write_only=True,
        required=False,
        source="attendance_entries",
        help_text=_("Who stood the post. Leave out to record everyone rostered as present."),
    )
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Why a closed log is changed (kept in its history)."),
    )
    is_compliant = serializers.BooleanField(read_only=True)
    post = serializers.IntegerField(source="post_period.post_id", read_only=True)

    class Meta:
        model = DutyLog
        fields = [
            "id",
            "school",
            "post",
            "post_period",
            "date",
            "period",
            "actual_start",
            "actual_end",
            "illegal_parking",
            "wrong_way_driving",
            "electric_tricycles",
            "farm_vehicles",
            "other_traffic",
            "incidents",
            "weather",
            "photo",
            "attendance",
            "attendance_input",
            "reason",
            "present_count",
            "police_count",
            "qualified_count",
            "meets_staffing",
            "meets_qualified_share",
            "is_compliant",
            "submitted_by",
            "is_late",
            "countersigned_by",
            "countersigned_at",
            "countersign_remark",
            "returned_by",
            "returned_at",
            "return_reason",
            "created",
            "updated",
        ]
        read_only_fields = [
            "school",
            "period",
            "present_count",
            "police_count",
            "qualified_count",
            "meets_staffing",
            "meets_qualified_share",
            "submitted_by",
            "is_late",
            "countersigned_by",
            "countersigned_at",
            "countersign_remark",
            "returned_by",
            "returned_at",
            "return_reason",
        ]
        extra_kwargs = {
            # The school, district and city come with the period: the service
            # reads the calendar, the late-entry window and the qualified share.
            "post_period": {
                "queryset": PostPeriod.objects.select_related("post__school__district__city")
            },
        }
        # One log per post period and day is the database's to enforce: a
        # second submission gets a 409 naming who logged first (posts/dutylogs.py).
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # A log stays on its post period and day; correct those by deleting it.
            fields["post_period"].read_only = True
            fields["date"].read_only = True
        return fields

    def validate(self, attrs):
        # Staffing and the calendar are checked by the service (posts/dutylogs.py).
        entries = attrs.pop("attendance_entries", None)
        reason = attrs.pop("reason", "")
        attrs = super().validate(attrs)
        attrs["attendance_entries"], attrs["reason"] = entries, reason
        return attrs

    def create(self, validated_data):
        return submit_validated(self.context["request"].user, validated_data)

    def update(self, instance, validated_data):
        data = dict(validated_data)
        entries = data.pop("attendance_entries", None)
        reason = data.pop("reason", "")
        return dutylogs.update_log(
            self.context["request"].user,
            instance,
            attendance=_attendance(entries),
            reason=reason,
            **data,
        )


def submit_validated(user, validated_data):
    """Submit the log a create validated: DutyLogSerializer's, or the gate's lean POST's
    (posts/api/dutylog_create.py), which also hands over the roster it read.

    One log per post period and day: a second one raises DuplicateLog (409).
    """
    data = dict(validated_data)
    entries = data.pop("attendance_entries")
    data.pop("reason", None)
    return dutylogs.submit_log(
        user,
        data.pop("post_period"),
        data.pop("date"),
        attendance=_attendance(entries),
        rostered=data.pop("rostered", None),
        **data,
    )


def _attendance(entries):
    if entries is None:
        return None
    return [dutylogs.AttendanceEntry(e["member"], e.get("present", True)) for e in entries]


class DutyLogRevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyLogRevision
        fields = ["id", "changed_by", "changed_at", "reason", "before"]


class CoverageQuerySerializer(DateRangeSerializer):
    group_by = serializers.ChoiceField(
        choices=["school", "district", "city", "day"], default="school"
    )
    ordering = serializers.ChoiceField(
        choices=coverage.ORDERINGS,
        default="label",
        required=False,
    )


class CoverageRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("School, district or city id, or the day."))
    label = serializers.CharField()
    school_days = serializers.IntegerField()
    covered = serializers.IntegerField()
    partial = serializers.IntegerField()
    missed = serializers.IntegerField()
    coverage_rate = serializers.FloatField(allow_null=True)
    logs = serializers.IntegerField()
    understaffed_logs = serializers.IntegerField()
    late_logs = serializers.IntegerField(
        help_text=_("Logs entered after their day (late entries).")
    )
    qualified_share = serializers.FloatField(allow_null=True)


class MissingPeriodSerializer(serializers.Serializer):
    """A required post period left unlogged, as the missed-days view writes it once per period
    (a page names a school's periods on each of its days)."""

    post_period = serializers.IntegerField()
    post = serializers.IntegerField()
    label = serializers.CharField()


class MissedDaySerializer(serializers.Serializer):
    school = serializers.IntegerField()
    school_name = serializers.CharField()
    date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=[CoverageStatus.MISSED, CoverageStatus.PARTIAL],
        help_text=_("missed: no post logged; partial: some required post periods logged."),
    )
    missing_periods = MissingPeriodSerializer(
        many=True, help_text=_("The required post periods left unlogged that day.")
    )

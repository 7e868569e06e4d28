"""HTML forms for the posts app: members, duty logs, rosters and coverage.

Every choice of a related object comes from `for_user(user)` and is narrowed to
the school the page is about, so a hidden or foreign object fails validation
exactly like a missing one. The rules themselves live in the services
(posts/members.py, posts/rosters.py, posts/dutylogs.py); a form only collects
input and turns their ValidationErrors into form errors (add_service_errors).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import ADD, BUREAU, CHANGE, VIEW, Scope
from campussafety import personal
from campussafety.dates import date_range_errors
from campussafety.forms import (
    BootstrapFormMixin,
    DateInput,
    ScopedModelForm,
    SearchSelect,
    label_blank_choices,
)
from posts import members
from posts.choices import VerificationStatus
from posts.coverage import MAX_RANGE_DAYS
from posts.dutylogs import LOG_FIELDS, AttendanceEntry
from posts.models import (
    DutyLog,
    GuardRule,
    Member,
    MemberAssignment,
    Post,
    PostPeriod,
    RosterRule,
    Shift,
)
from posts.models.guards import GUARD_RULE_FIELDS
from posts.rosters import MAX_GENERATED_WEEKS
from schools.calendar import is_school_day
from schools.forms import DistrictField
from schools.models import City, District, School

# Coverage and the missed list read at most a year at a time.


class TimeInput(forms.TimeInput):
    # The browser's own time picker; it submits HH:MM whatever the language.
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class NeverEchoedInput(forms.TextInput):
    """A text input that never writes a value back into the page.

    An ID card number typed into a form that comes back with errors is not sent
    to the browser again (PIPL: collect it once, show it masked): it must be
    typed again.
    """

    def format_value(self, value):
        return None


def add_service_errors(form, error: ValidationError):
    """Show a service's ValidationError on `form`: on its field where the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def schools_for(user, model, action):
    """The schools in which the user holds a role allowed `action` on `model`."""
    return School.objects.for_user(user, VIEW, roles=model.access[action])


def members_of(school, user):
    """The members the user may see who have ever served `school`."""
    return Member.objects.for_user(user).filter(
        pk__in=MemberAssignment.objects.filter(school=school).values("member_id")
    )


class MemberForm(ScopedModelForm):
    """Registers a member at a school, or edits one.

    The ID card number is validated and stored as a keyed hash and a masked
    form through the same code as the API (posts/members.py); on edit it may be
    left empty to keep the number on file. Changing who the member is sends
    them back to verification.
    """

    id_number = forms.CharField(
        label=_("ID card number"),
        max_length=32,
        widget=NeverEchoedInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("18 characters; stored only as a keyed hash and a masked form."),
    )
    # By type-ahead search: a district's or city's staff register members at any of
    # hundreds or thousands of schools, and the page must weigh the same for either.
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        label=_("School"),
        widget=SearchSelect(reverse_lazy("schools:search")),
    )
    assignment_start = forms.DateField(label=_("Serves from"), widget=DateInput())

    class Meta:
        model = Member
        fields = [
            "name",
            "kind",
            "unit_kind",
            "unit_name",
            "phone",
            "police_number",
            "guard_certificate_number",
            "guard_certificate_expiry",
            "badge_number",
            "photo",
            "is_active",
        ]
        widgets = {"guard_certificate_expiry": DateInput()}

    field_order = ["name", "id_number", "kind", "school", "assignment_start"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            if not getattr(self.instance, "phone_visible", False):
                # The viewer sees the phone masked, as everywhere else
                # (MemberQuerySet.with_phone_visibility); left as it is, the
                # mask keeps the number on file (clean_phone).
                self.initial["phone"] = personal.mask_phone(self.instance.phone)
            del self.fields["school"]
            del self.fields["assignment_start"]
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "On file: %(masked)s. Leave empty to keep it; a new number needs a new "
                "verification."
            ) % {"masked": self.instance.id_number_masked}
        else:
            # A new member is active; deactivating is an edit.
            del self.fields["is_active"]
            self.fields["school"].queryset = schools_for(user, Member, ADD)
            self.fields["assignment_start"].initial = timezone.localdate()
        if self.is_bound and (not self.instance.pk or self.data.get("id_number")):
            # Sent back with errors, the page keeps everything typed but the number.
            self.fields["id_number"].help_text = _(
                "Re-enter the ID card number: it is never kept in the page."
            )
        self.identity = {}

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value:
            return ""
        return personal.validate_id_number(value)

    def clean_phone(self):
        # The instance still holds the stored phone: the form sets fields after cleaning.
        stored = self.instance.phone if self.instance.pk else ""
        return personal.submitted_phone(self.cleaned_data["phone"], stored)

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number:
            try:
                self.identity = members.identity_values(
                    number, self.instance, user=self.user, school=cleaned.get("school")
                )
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned

    def save(self, commit=True):
        values = {name: getattr(self.instance, name) for name in self._meta.fields}
        values.update(self.identity)
        if not self.instance.pk:
            values.pop("is_active", None)
            self.instance = members.register(
                values, self.cleaned_data["school"], self.cleaned_data["assignment_start"]
            )
            return self.instance
        original = Member.objects.get(pk=self.instance.pk)
        values.update(members.reverification(original, values))
        for name, value in values.items():
            setattr(self.instance, name, value)
        self.instance.save()
        return self.instance


class VerificationForm(BootstrapFormMixin, forms.Form):
    """Verify a member, or reject them with a reason."""

    decision = forms.ChoiceField(
        choices=[
            (VerificationStatus.VERIFIED, _("Verify")),
            (VerificationStatus.REJECTED, _("Reject")),
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Reason for rejection"), max_length=200, required=False)
    # The member's verification as the page showed it (posts.members.record_decision).
    seen = forms.ChoiceField(
        choices=[("", ""), *VerificationStatus.choices], required=False, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        if "decision" in cleaned:
            try:
                members.check_decision(cleaned["decision"], cleaned.get("reason", ""))
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


class AssignmentForm(ScopedModelForm):
    """Assigns a member to a (further) school from a date."""

    class Meta:
        model = MemberAssignment
        fields = ["school", "start_date", "end_date"]
        # By type-ahead search, as when registering: a bureau may assign to any of its
        # schools, and the page must not list them all.
        widgets = {
            "school": SearchSelect(reverse_lazy("schools:search")),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["school"].queryset = schools_for(user, MemberAssignment, ADD)
        self.fields["start_date"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        # The member is set by the view, not by a field, so ModelForm skips the
        # unique (member, school, start) constraint: check it here rather than
        # let the database refuse the row with an error page.
        school, start = cleaned.get("school"), cleaned.get("start_date")
        if school and start:
            taken = MemberAssignment.objects.filter(
                member=self.instance.member, school=school, start_date=start
            )
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "start_date", _("This member already starts at this school on this day.")
                )
        return cleaned


class EndAssignmentForm(BootstrapFormMixin, forms.ModelForm):
    """Ends an assignment on a day (today unless another is given)."""

    class Meta:
        model = MemberAssignment
        fields = ["end_date"]
        widgets = {"end_date": DateInput()}
        labels = {"end_date": _("Last day")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = True
        self.fields["end_date"].initial = timezone.localdate()


class MemberChoiceField(forms.ModelMultipleChoiceField):
    """Members by name and kind, told apart by the tail of their masked ID number, and
    marked when they are not verified (they never count as qualified)."""

    def label_from_instance(self, member):
        parts = [
            member.name,
            member.get_kind_display(),
            _("ID …%(tail)s") % {"tail": member.id_number_masked[-4:]},
        ]
        if member.verification_status != VerificationStatus.VERIFIED:
            parts.append(str(member.get_verification_status_display()))
        return " · ".join(str(part) for part in parts)


class DutyLogForm(BootstrapFormMixin, forms.ModelForm):
    """A duty log: who stood (the roster ticked, walk-ins added), when, and what happened.

    `listed` are the members shown as checkboxes (the roster, or on edit
    everyone the log records); ticked means present, unticked is recorded as
    absent. Walk-ins come from the members assigned to the school on the day.
    A ticked member need only be listed or assigned to the school: when the
    day is changed, the roster ticked for the first day still validates, and
    the day itself is what the services then judge.
    """

    present = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=_("Rostered: tick who stood the post"),
    )
    walk_ins = MemberChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=_("Also present (not rostered)"),
        help_text=_("Members of this school's registry who stood the post without a shift."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=200,
        required=False,
        help_text=_("Kept in the log's history."),
    )

    class Meta:
        model = DutyLog
        fields = ["date", *LOG_FIELDS, "photo"]
        widgets = {
            "date": DateInput(),
            "actual_start": TimeInput(),
            "actual_end": TimeInput(),
            "incidents": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, listed, day, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        listed_ids = [member.pk for member in listed]
        self.listed = listed
        assigned = Member.objects.for_user(user).filter(
            pk__in=MemberAssignment.objects.filter(
                MemberAssignment.active_on(day), school_id=self.instance.school_id
            ).values("member_id"),
            is_active=True,
        )
        self.fields["present"].queryset = Member.objects.filter(
            Q(pk__in=listed_ids) | Q(pk__in=assigned.values("pk"))
        )
        self.fields["walk_ins"].queryset = assigned.exclude(pk__in=listed_ids)
        self.fields["walk_ins"].widget.attrs["size"] = 4
        label_blank_choices(self, _("Not recorded"))
        if self.instance.pk:
            # A log stays on its day; a wrong day is corrected by deleting the log.
            del self.fields["date"]
            self.fields["reason"].required = reason_required
        else:
            del self.fields["reason"]

    def checkboxes(self):
        """(member, ticked) for each listed member, as submitted or as first shown."""
        value = self["present"].value() or []
        ticked = {str(getattr(item, "pk", item)) for item in value}
        return [(member, str(member.pk) in ticked) for member in self.listed]

    def attendance(self):
        """The attendance entries for posts.dutylogs: everyone listed, then the others present."""
        ticked = list(self.cleaned_data["present"])
        ticked_ids = {member.pk for member in ticked}
        listed_ids = {member.pk for member in self.listed}
        entries = [AttendanceEntry(member, member.pk in ticked_ids) for member in self.listed]
        entries += [AttendanceEntry(member) for member in ticked if member.pk not in listed_ids]
        seen = ticked_ids | listed_ids
        entries += [
            AttendanceEntry(member)
            for member in self.cleaned_data["walk_ins"]
            if member.pk not in seen
        ]
        return entries

    def log_fields(self):
        """The log's own fields, as posts.dutylogs takes them."""
        fields = {name: self.cleaned_data[name] for name in LOG_FIELDS}
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            fields["photo"] = photo
        elif photo is False:
            # "Clear" ticked on the file input.
            fields["photo"] = ""
        return fields


class RosterCellForm(BootstrapFormMixin, forms.Form):
    """Puts a member on a post period on a day."""

    post_period = forms.ModelChoiceField(queryset=PostPeriod.objects.none(), label=_("Post period"))
    date = forms.DateField(label=_("Day"), widget=DateInput())
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("Member"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["post_period"].queryset = (
            PostPeriod.objects.for_user(user, CHANGE)
            .filter(post__school=school, post__is_active=True)
            .select_related("post")
        )
        self.fields["member"].queryset = members_of(school, user).filter(is_active=True)
        label_blank_choices(self, _("Choose…"))

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not is_school_day(self.school, day):
            raise ValidationError(
                _("%(day)s is not a school day at this school.") % {"day": day.isoformat()}
            )
        return day


class ShiftChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, shift):
        return f"{shift.date:%m-%d} · {shift.post_period} · {shift.member.name}"


def editable_shifts(user, school):
    """The shifts of `school` the user may still change: from today on, not cancelled."""
    return (
        Shift.objects.for_user(user, CHANGE)
        .filter(school=school, is_cancelled=False, date__gte=timezone.localdate())
        .select_related("member", "post_period__post")
        .order_by("date", "post_period__start_time", "member__name")
    )


class ReplaceMemberForm(BootstrapFormMixin, forms.Form):
    """Someone else stands a shift."""

    shift = ShiftChoiceField(queryset=Shift.objects.none(), label=_("Shift"))
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("Stood instead by"))

    def __init__(self, *args, user, school, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = shifts
        self.fields["member"].queryset = members_of(school, user).filter(is_active=True)
        label_blank_choices(self, _("Choose…"))


class SwapShiftsForm(BootstrapFormMixin, forms.Form):
    """Two members exchange their shifts."""

    shift = ShiftChoiceField(queryset=Shift.objects.none(), label=_("Shift"))
    other_shift = ShiftChoiceField(queryset=Shift.objects.none(), label=_("Swap with"))

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = shifts
        self.fields["other_shift"].queryset = shifts
        label_blank_choices(self, _("Choose…"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("shift") and cleaned.get("shift") == cleaned.get("other_shift"):
            self.add_error("other_shift", _("Choose two different shifts."))
        return cleaned


class GenerateRosterForm(BootstrapFormMixin, forms.Form):
    """Turns the weekly pattern into shifts for the coming weeks."""

    post = forms.ModelChoiceField(
        queryset=Post.objects.none(), required=False, label=_("Post"), empty_label=None
    )
    weeks = forms.IntegerField(
        label=_("Weeks"),
        min_value=1,
        max_value=MAX_GENERATED_WEEKS,
        initial=4,
        help_text=_("From the shown week (from today if it has begun) on."),
    )

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = Post.objects.for_user(user, CHANGE).filter(
            school=school, is_active=True
        )
        label_blank_choices(self, _("All posts"))
        self.fields["post"].empty_label = _("All posts")


class RosterRuleForm(ScopedModelForm):
    """Adds a member to the weekly pattern of a post period, with the API's checks."""

    class Meta:
        model = RosterRule
        fields = ["post_period", "weekday", "member"]

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["post_period"].queryset = (
            PostPeriod.objects.for_user(user, ADD)
            .filter(post__school=school)
            .select_related("post")
        )
        self.fields["member"].queryset = members_of(school, user).filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        period, member = cleaned.get("post_period"), cleaned.get("member")
        weekday = cleaned.get("weekday")
        if period and member and weekday is not None:
            try:
                members.check_roster_rule(period, member, weekday, rule=self.instance)
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


class GuardRuleForm(BootstrapFormMixin, forms.ModelForm):
    """A city's guard rule (or the national default). Its checks are the model's (field
    validators and GuardRule.clean()), which the API's serializer runs too. The city is
    the page's, never a field."""

    class Meta:
        model = GuardRule
        fields = GUARD_RULE_FIELDS
        widgets = {"source": forms.Textarea(attrs={"rows": 3})}


class RosterSchoolForm(forms.Form):
    """The school whose roster is shown, chosen by type-ahead search among the user's: the
    page weighs the same for one school in scope or three thousand."""

    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        widget=SearchSelect(
            reverse_lazy("schools:search"), attrs={"class": "form-select form-select-sm"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.for_user(user)


class DateRangeForm(BootstrapFormMixin, forms.Form):
    """A date range read from the query string; this month up to today when none is given.

    With `user`, the schools narrow to a district (and, for administrators, a
    city) among those the user sees: the drill-down city → district → school of
    the bureaus' coverage pages. A district outside the scope is a form error.
    """

    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none(), required=False)
    district = DistrictField()

    def __init__(self, data, *args, user=None, **kwargs):
        today = timezone.localdate()
        defaults = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
        data = {**defaults, **{key: value for key, value in data.items() if value}}
        super().__init__(data, *args, **kwargs)
        scope = Scope.of(user)
        self.fields["district"].queryset = (
            District.objects.for_user(user).select_related("city").order_by("code", "pk")
        )
        if scope.is_admin:
            self.fields["city"].queryset = City.objects.for_user(user).order_by("name", "pk")
        else:
            # One city at most outside the administrators: its districts say it all.
            del self.fields["city"]
        if not (scope.is_admin or scope.has_role(*BUREAU)):
            # A principal reads their own school: no district to choose.
            del self.fields["district"]

    def narrow(self, schools):
        """`schools` within the chosen district or city (all of them when none is chosen)."""
        data = self.cleaned_data
        if data.get("district"):
            return schools.filter(district=data["district"])
        if data.get("city"):
            return schools.filter(district__city=data["city"])
        return schools

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            for name, error in date_range_errors(start, end, MAX_RANGE_DAYS).items():
                self.add_error(name, error)
        return cleaned


# Every sort the API takes (posts.coverage.ORDERINGS), in words, in the order the page lists them.
ORDERING_LABELS = {
    "label": _("Name or day"),
    "coverage_rate": _("Coverage, lowest first"),
    "-coverage_rate": _("Coverage, highest first"),
    "-missed": _("Missed days, most first"),
    "missed": _("Missed days, fewest first"),
}


class CoverageForm(DateRangeForm):
    group_by = forms.ChoiceField(
        label=_("Group by"),
        choices=[
            # Empty: one level below the place chosen (posts.views.coverage.drill_level).
            ("", _("By place")),
            ("city", _("City")),
            ("district", _("District")),
            ("school", _("School")),
            ("day", _("Day")),
        ],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=list(ORDERING_LABELS.items()),
        required=False,
    )

"""Form helpers shared by every app's HTML forms.

Every choice of a related object lists only what the user may see (the same
`for_user` the API's related fields use), so a hidden object fails validation
exactly like a missing one.
"""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from campussafety.dates import EARLIEST, LATEST, check_date_bounds


def bound_dates(field):
    """Keep a date field's input within the site's bounds (campussafety/dates.py).

    The browser's date picker is told the bounds too; the server checks them.
    """
    if isinstance(field, forms.DateField) and check_date_bounds not in field.validators:
        field.validators.append(check_date_bounds)
        field.widget.attrs.setdefault("min", EARLIEST.isoformat())
        field.widget.attrs.setdefault("max", LATEST.isoformat())
    return field


def style_form(form):
    """Give each widget the Bootstrap class its kind needs, so templates stay plain.

    Every date field gets the site's date bounds on the way.
    """
    for field in form.fields.values():
        bound_dates(field)
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            # Its class would go on the list's <div> as well as on each box: the
            # browser's own checkboxes, one a line, need none.
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


def label_blank_choices(form, label):
    """Give the blank choice of every select `label`.

    Django's own blank labels ("---------", "- Select an option -", "Unknown")
    are either untranslated or say the wrong thing in a filter, where a blank
    choice means "any".
    """
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = label
        elif isinstance(field, forms.NullBooleanField):
            field.widget.choices = [
                (value, label if value == "unknown" else text)
                for value, text in field.widget.choices
            ]
        elif isinstance(field, forms.ChoiceField):
            field.choices = [
                (value, label if value == "" else text) for value, text in field.choices
            ]
    return form


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class DateInput(forms.DateInput):
    # The browser's own date picker; it submits ISO dates whatever the language.
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    # The browser's own date-and-time picker (local time, ISO format in any language).
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


ONE_DAY = datetime.timedelta(days=1)


class DaysField(forms.DecimalField):
    """A duration (a model's DurationField, such as a grace period) written as a number of
    days, quarters of a day allowed: what people mean by "a week late", where Django's
    own DurationField would read "7" as seven seconds. Empty is None."""

    def __init__(self, *, max_days=366, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", max_days)
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("step_size", Decimal("0.25"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime.timedelta):
            days = Decimal(value.total_seconds()) / Decimal(ONE_DAY.total_seconds())
            whole = days.to_integral_value()
            return whole.quantize(Decimal(1)) if days == whole else days.quantize(Decimal("0.01"))
        return value

    def clean(self, value):
        days = super().clean(value)
        if days is None:
            return None
        return datetime.timedelta(seconds=round(days * Decimal(ONE_DAY.total_seconds())))

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial), data)


class ModelJudgedChoiceField(forms.ChoiceField):
    """A select of the values worth offering, whose value the model judges (its field's
    choices, validators and clean()): a page then refuses what the API refuses, in the
    same words, instead of the form's own "not one of the available choices"."""

    def validate(self, value):
        forms.Field.validate(self, value)


class ModelJudgedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes for a list the model validates (a JSONField of one TextChoices' values),
    judged by the model's validators as ModelJudgedChoiceField is."""

    widget = forms.CheckboxSelectMultiple

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class ScopedModelForm(BootstrapFormMixin, forms.ModelForm):
    """A ModelForm whose related-object choices come from `for_user(user)`."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user"):
                field.queryset = queryset.for_user(user)
        label_blank_choices(self, _("Choose…"))


class SearchWidgetMixin:
    """What a type-ahead choice renders: only the chosen objects, never an option per object.

    The page weighs the same for 3 schools in scope or 30,000. Only the blank choice
    (if any) and the chosen objects are rendered (one query when some are chosen, none
    otherwise); static/js/search-select.js adds a search box that asks `search_url` (a
    JSON endpoint answering `?q=` with `{"results": [{"id", "text"}]}` from the user's
    scope, campussafety.views.ScopedSearchView) and fills the select with what it
    finds. The field keeps its scoped queryset: what is submitted is validated as before.
    """

    def __init__(self, search_url, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-search-url": str(self.search_url),
            "data-search-placeholder": _("Type to search…"),
            "data-search-empty": _("Nothing found"),
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        field = self.choices.field
        chosen = [item for item in value if item not in ("", None)]
        options = []
        if getattr(field, "empty_label", None) is not None:
            options.append(self.create_option(name, "", field.empty_label, not chosen, 0))
        for obj in self._chosen_objects(chosen):
            key = self.choices.choice(obj)[0]
            options.append(
                self.create_option(name, key, field.label_from_instance(obj), True, len(options))
            )
        return [(None, options, 0)]

    def _chosen_objects(self, values):
        if not values:
            return []
        try:
            return list(self.choices.queryset.filter(pk__in=values))
        except (ValueError, TypeError, forms.ValidationError):
            # Not an id at all: the form says so; nothing to show as chosen.
            return []


class SearchSelect(SearchWidgetMixin, forms.Select):
    """A type-ahead choice of one object among thousands (SearchWidgetMixin)."""


class SearchSelectMultiple(SearchWidgetMixin, forms.SelectMultiple):
    """A type-ahead choice of several objects among thousands (SearchWidgetMixin): the
    chosen ones stay chosen while further searches list more beside them, and each can be
    taken off again (static/js/search-select.js)."""

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-search-remove": _("Remove")}
        return super().get_context(name, value, attrs)

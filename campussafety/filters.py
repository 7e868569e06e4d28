"""Filters shared by every FilterSet (API and HTML lists)."""

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from campussafety.dates import check_date_bounds

TRUE_VALUES = {"true", "1", "yes", "on"}
FALSE_VALUES = {"false", "0", "no", "off"}
# What the HTML lists' yes/no/any select submits for "any".
ANY_VALUES = {"", "unknown", "none"}


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """Django's yes/no/any select, but handing the field what was sent, to judge."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    """Yes, no or any; anything else is an error instead of a silent "any"."""

    widget = RawNullBooleanSelect
    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value):
        if value in (True, False, None):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        if text in ANY_VALUES:
            return None
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField


class BoundedDateField(forms.DateField):
    """A date within the site's bounds (campussafety/dates.py)."""

    default_validators = [check_date_bounds]


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: model booleans filter strictly too."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateField: {"filter_class": DateFilter},
    }

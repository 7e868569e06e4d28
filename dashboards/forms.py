"""The dashboards' query forms: the as-of date and the indicator charted."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campussafety.filters import BoundedDateField
from campussafety.forms import BootstrapFormMixin, DateInput


class AsOfForm(BootstrapFormMixin, forms.Form):
    """?as_of= (yesterday when empty: bureaus file figures as of a finished day) and
    ?indicator= (the indicator charted: the first of the grid when empty)."""

    as_of = BoundedDateField(label=_("As of"), widget=DateInput())
    indicator = forms.ChoiceField(label=_("Chart"), required=False)

    def __init__(self, data, *args, indicators=(), **kwargs):
        # The date used is the one the picker shows, even when none was asked for.
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        given = {key: value for key, value in data.items() if value}
        data = {"as_of": yesterday.isoformat(), **given}
        super().__init__(data, *args, **kwargs)
        self.fields["indicator"].choices = [
            (indicator.code, indicator.name) for indicator in indicators
        ]

    def clean_as_of(self):
        today = timezone.localdate()
        as_of = self.cleaned_data["as_of"]
        if as_of > today:
            raise forms.ValidationError(_("Give today or a day before."))
        return as_of

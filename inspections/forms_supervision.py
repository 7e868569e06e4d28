"""The forms of the supervision pages: the 双随机 draw and the visit's scores."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from accounts.scope import BUREAU
from campussafety.forms import BootstrapFormMixin
from inspections.supervision import MAX_SCHOOLS
from schools.models import District


class DrawForm(BootstrapFormMixin, forms.Form):
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())
    period = forms.CharField(
        label=_("Period"),
        max_length=20,
        help_text=_("For example 2026-autumn."),
        validators=[RegexValidator(r"^[\w-]+$", _("Use letters, digits and hyphens."))],
    )
    count = forms.IntegerField(label=_("Schools to draw"), min_value=1, max_value=MAX_SCHOOLS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_user(user, roles=BUREAU).order_by(
            "name"
        )


class VisitForm(BootstrapFormMixin, forms.Form):
    """A score for each scored item of the supervision checklist, up to the item's points."""

    def __init__(self, *args, items, **kwargs):
        self.items = [item for item in items if item.points is not None]
        super().__init__(*args, **kwargs)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=f"{item.text} (/{item.points})",
                min_value=0,
                max_value=item.points,
                max_digits=5,
                decimal_places=1,
            )

    def scores(self):
        return [(item, self.cleaned_data[f"item_{item.pk}"]) for item in self.items]

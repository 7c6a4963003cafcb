"""Portal forms of campaigns. They parse input; services.campaigns enforces the rules."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core import dates
from core.errors import DomainError
from matchmaking.models import Campaign
from matchmaking.rates import plain_percent, rate_from_percent
from matchmaking.services.campaigns import DRAFT_ONLY_FIELDS
from merchants.models import Category


class PercentField(forms.DecimalField):
    """Typed and shown as a percentage (20 = 20 %), cleaned to a rate with four places
    (matchmaking.rates.rate_from_percent: half up, as every rate typed anywhere)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("In percent, e.g. 20 for 20 %."))
        super().__init__(max_digits=5, decimal_places=4, **kwargs)  # the services check ranges
        self.widget.attrs.update({"step": "0.01", "min": "0", "max": "100"})

    def to_python(self, value):
        typed = super().to_python(value)
        return None if typed is None else rate_from_percent(typed)

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # a rate from the database, not what the user typed
            return plain_percent(value)
        return value


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, category: Category) -> str:
        return f"— {category.name}" if category.parent_id else category.name


class DateInput(forms.DateInput):
    input_type = "date"


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Shows a service's refusal on the fields it names (all of them when it lists several)."""
    detail = error.detail if isinstance(error.detail, dict) else {error.field: [error.message]}
    for name, messages in detail.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    categories = CategoryChoiceField(
        label=_("Categories"),
        queryset=Category.objects.select_related("parent").order_by(  # children under parents
            Coalesce("parent__position", "position"), F("parent").asc(nulls_first=True), "position"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None means any category. A parent category takes its children."),
    )
    registration_start = dates.DateFormField(label=_("Registration starts"), widget=DateInput)
    registration_end = dates.DateFormField(label=_("Registration ends"), widget=DateInput)
    promotion_start = dates.DateFormField(label=_("Promotion starts"), widget=DateInput)
    promotion_end = dates.DateFormField(label=_("Promotion ends"), widget=DateInput)
    min_commission_rate = PercentField(label=_("Minimum commission (%)"))
    service_fee_rate = PercentField(label=_("Service fee (%)"))
    settlement_delay_days = forms.IntegerField(label=_("Settlement delay (days)"), initial=15)
    attribution_window_days = forms.IntegerField(label=_("Attribution window (days)"), initial=7)
    min_merchant_rating = forms.DecimalField(
        label=_("Minimum merchant rating"), max_digits=3, decimal_places=2, required=False
    )

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        if campaign is not None:
            kwargs.setdefault("initial", initial_of(campaign))
        super().__init__(*args, **kwargs)
        if campaign is not None and campaign.status != Campaign.Status.DRAFT:
            for name in DRAFT_ONLY_FIELDS:  # fixed once opened; shown, not sent
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the campaign is opened.")

    def changes(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not self.fields[name].disabled
        }


def initial_of(campaign: Campaign) -> dict[str, Any]:
    names = [name for name in CampaignForm.base_fields if name != "categories"]
    initial = {name: getattr(campaign, name) for name in names}
    initial["categories"] = list(campaign.categories.all())
    return initial

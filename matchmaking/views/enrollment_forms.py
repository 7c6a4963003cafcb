"""Portal forms of enrollments. Choices come from scoped selectors; services enforce the rules."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from matchmaking.models import Campaign, Enrollment
from matchmaking.rates import plain_percent
from matchmaking.selectors.campaigns import campaigns_open_for_registration, reoffer_targets
from matchmaking.selectors.enrollments import enrollable_products
from matchmaking.services.enrollments import REJECTION_REASONS, Terms
from matchmaking.views.campaign_forms import PercentField
from merchants.models import Product


class SelectWithFacts(forms.Select):
    """A select whose options carry facts of their object as data- attributes, so the page
    can pre-fill the fields that follow from the choice (static/js/enroll-form.js)."""

    def __init__(self, facts: Callable[[Any], dict[str, str]], attrs=None):
        super().__init__(attrs)
        self.facts = facts

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"].update(
                {f"data-{key}": fact for key, fact in self.facts(instance).items()}
            )
        return option


def campaign_facts(campaign: Campaign) -> dict[str, str]:
    return {
        "commission-rate": plain_percent(campaign.min_commission_rate),
        "service-fee-rate": plain_percent(campaign.service_fee_rate),
    }


def product_facts(product: Product) -> dict[str, str]:
    return {"price": f"{product.price:f}", "stock": str(product.stock)}


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, campaign: Campaign) -> str:
        return _("%(name)s by %(provider)s (registration until %(end)s)") % {
            "name": campaign.name,
            "provider": campaign.provider.name,
            "end": campaign.registration_end,
        }


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, product: Product) -> str:
        return _("%(sku)s %(title)s — %(price)s, %(stock)d in stock") % {
            "sku": product.sku,
            "title": product.title,
            "price": product.price,
            "stock": product.stock,
        }


class EnrollForm(forms.Form):
    campaign = CampaignChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        widget=SelectWithFacts(campaign_facts),
    )
    product = ProductChoiceField(
        label=_("Product"), queryset=Product.objects.none(), widget=SelectWithFacts(product_facts)
    )
    commission_rate = PercentField(label=_("Commission for the buyer (%)"))
    service_fee_rate = PercentField(label=_("Service fee for the provider (%)"))
    campaign_price = forms.DecimalField(label=_("Campaign price"), max_digits=12, decimal_places=2)
    promotion_stock = forms.IntegerField(label=_("Promotion stock"))
    min_followers = forms.IntegerField(label=_("Minimum followers of a buyer"), initial=0)
    auto_approve_samples = forms.BooleanField(
        label=_("Approve sample requests automatically"), required=False
    )

    def __init__(self, *args, merchant: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_open_for_registration(organisation=merchant)
        self.fields["product"].queryset = enrollable_products(merchant=merchant)

    def terms(self) -> Terms:
        data = self.cleaned_data
        return Terms(
            commission_rate=data["commission_rate"],
            service_fee_rate=data["service_fee_rate"],
            campaign_price=data["campaign_price"],
            promotion_stock=data["promotion_stock"],
            min_followers=data["min_followers"],
            auto_approve_samples=data["auto_approve_samples"],
        )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            ("", _("Choose a reason…")),
            *(
                (value, label)
                for value, label in Enrollment.Reason.choices
                if value in REJECTION_REASONS
            ),
        ],
        required=False,  # the service names a missing reason
    )
    reason_text = forms.CharField(label=_("Note to the merchant"), max_length=500, required=False)


class ReofferForm(forms.Form):
    campaign = CampaignChoiceField(
        label=_("Another provider's campaign"), queryset=Campaign.objects.none()
    )
    service_fee_rate = PercentField(
        label=_("Second level's service fee (%)"),
        help_text=_("At most 90 percent of your fee; it comes out of your fee."),
    )
    promotion_stock = forms.IntegerField(label=_("Promotion stock"))

    def __init__(self, *args, provider: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = reoffer_targets(provider=provider)

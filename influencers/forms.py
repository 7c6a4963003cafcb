from django import forms
from django.utils.translation import gettext_lazy as _

from core import dates
from core.fields import MAX_ID
from influencers.models import BuyerProfile, LineupSlot
from influencers.services.follower_checks import MAX_FOLLOWERS, NOTE_LENGTH, URL_LENGTH
from merchants.models import Category


class BuyerProfileForm(forms.ModelForm):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["followers"].label = _("Followers (your claim)")
        self.fields["followers"].help_text = _(
            "Sample rules count only the figure a service provider or an operator has verified."
        )

    class Meta:
        model = BuyerProfile
        fields = [
            "handle", "platform", "followers", "categories", "price_band_min", "price_band_max",
            "typical_units_per_livestream", "audience_notes",
        ]  # fmt: skip
        widgets = {"audience_notes": forms.Textarea(attrs={"rows": 4})}


class CatalogueFilterForm(forms.Form):
    search = forms.CharField(required=False, label=_("Search"))
    category = forms.ChoiceField(required=False, label=_("Category"))
    min_price = forms.DecimalField(required=False, min_value=0, label=_("Price from"))
    max_price = forms.DecimalField(required=False, min_value=0, label=_("Price to"))
    min_commission_rate = forms.DecimalField(
        required=False, min_value=0, max_value=1, decimal_places=4, label=_("Commission at least")
    )
    min_stock = forms.IntegerField(required=False, min_value=0, label=_("Stock at least"))
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=[
            ("commission", _("Commission")),
            ("price", _("Price, low to high")),
            ("-price", _("Price, high to low")),
            ("newest", _("Newest")),
            ("stock", _("Stock")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.slug, ("— " if c.parent_id else "") + c.name) for c in Category.objects.all()
        ]


class LivestreamForm(forms.Form):
    title = forms.CharField(max_length=160, label=_("Title"))
    scheduled_at = dates.DateTimeFormField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class SlotForm(forms.Form):
    role = forms.ChoiceField(choices=LineupSlot.Role.choices)
    minutes = forms.IntegerField(min_value=0, max_value=600)
    target_units = forms.IntegerField(min_value=0)


class VerifyFollowersForm(forms.Form):
    """A provider records the follower count it checked; the service validates the evidence."""

    buyer = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    followers = forms.IntegerField(
        label=_("Verified followers"), min_value=0, max_value=MAX_FOLLOWERS
    )
    note = forms.CharField(label=_("How you checked"), max_length=NOTE_LENGTH, required=False)
    evidence_url = forms.CharField(
        label=_("Evidence URL"),
        max_length=URL_LENGTH,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

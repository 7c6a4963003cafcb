from django import forms

from influencers.models import BuyerProfile
from merchants.models import Category


class BuyerProfileForm(forms.ModelForm):
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = BuyerProfile
        fields = [
            "handle", "platform", "followers", "categories", "price_band_min", "price_band_max",
            "typical_units_per_livestream", "audience_notes",
        ]  # fmt: skip
        widgets = {"audience_notes": forms.Textarea(attrs={"rows": 4})}

from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Role
from core.errors import DomainError

SIGNUP_ROLES = [
    (Role.MERCHANT, _("Merchant: I list products and stock")),
    (Role.BUYER, _("Buyer: I sell in livestreams")),
    (Role.PROVIDER, _("Service provider: I curate products for buyers")),
]


class OrganisationSignupForm(SignupForm):
    """allauth's sign-up plus the role and organisation, or an invitation code."""

    role = forms.ChoiceField(label=_("I am a"), choices=SIGNUP_ROLES, required=False)
    organisation = forms.CharField(label=_("Organisation name"), max_length=120, required=False)
    invitation = forms.CharField(
        label=_("Invitation code"),
        max_length=64,
        required=False,
        help_text=_("Only if a teammate invited you; it replaces the two fields above."),
    )

    def clean(self):
        data = super().clean()
        try:
            if data.get("invitation"):
                services.open_invitation(data["invitation"])
            else:
                if not data.get("role"):
                    self.add_error("role", _("Choose merchant, buyer or provider."))
                else:
                    services.check_organisation_name(
                        role=data["role"], name=data.get("organisation", "")
                    )
        except DomainError as error:
            self.add_error(error.field, error.message)
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Teammate's email"))

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import selectors, services
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

    def validate_unique_email(self, value: str) -> str:
        # allauth refuses a registered address ("already registered") unless verification is
        # mandatory, and ours is optional: the form goes on as for a new address, and
        # try_save mails the owner instead of creating an account.
        self.account_already_exists = selectors.account_with_email(email=value) is not None
        return get_adapter().validate_unique_email(value)

    def clean(self):
        data = super().clean()
        try:
            if data.get("invitation"):
                services.open_invitation(data["invitation"], email=data.get("email"))
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

    def try_save(self, request):
        """A registered address: no account, its owner gets a mail, and the visitor the page
        "we sent a message to this address if it can join"; anything else as allauth does."""
        if not self.account_already_exists:
            try:
                return super().try_save(request)
            except services.EmailAlreadyRegistered:  # a concurrent sign-up took the address
                pass
        services.tell_owner_about_sign_up(email=self.cleaned_data["email"])
        return None, get_adapter(request).respond_email_verification_sent(request, None)


class MemberPasswordChangeForm(AdminPasswordChangeForm):
    """An operator's new password for a user (or none) ends the user's API token too."""

    def save(self, commit=True):
        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                services.revoke_api_token(user=user)
        return user


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Teammate's email"))

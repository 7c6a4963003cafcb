from allauth.account.adapter import DefaultAccountAdapter

from accounts import services


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Create the organisation and the user together, or neither."""
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        return services.register_member(
            user=user,
            role=data.get("role"),
            organisation_name=data.get("organisation"),
            invitation_token=data.get("invitation"),
        )

    def set_password(self, user, password) -> None:
        """allauth's change, set and reset of a password all come here: the API token ends too."""
        services.change_password(user=user, password=password)

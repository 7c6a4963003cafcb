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

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Organisation, Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    data = {
        "email": "mei@example.com",
        "username": "mei",
        "password1": "A-good-passphrase-42",
        "password2": "A-good-passphrase-42",
        "role": "merchant",
        "organisation": "Mei Goods",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


@pytest.mark.parametrize(
    ("role", "status", "heading"),
    [
        ("merchant", "active", "Merchant home"),
        ("buyer", "active", "Buyer home"),
        ("provider", "pending", "Service provider home"),
    ],
)
def test_it_signs_up_each_role_through_the_portal(client, role, status, heading):
    response = sign_up(client, role=role, organisation=f"Mei {role}")

    assert response.status_code == 302
    user = User.objects.get(username="mei")
    assert user.organisation.name == f"Mei {role}"
    assert user.organisation.role == role
    assert user.organisation.status == status
    home = client.get("/")
    assert heading in home.content.decode()


def test_the_signup_page_asks_for_role_and_organisation(client):
    page = client.get(reverse("account_signup")).content.decode()

    assert 'name="role"' in page
    assert 'name="organisation"' in page


def test_signup_with_a_taken_organisation_name_shows_the_error_and_saves_nothing(client):
    sign_up(client)
    client.logout()

    response = sign_up(
        client, username="other", email="other@example.com", organisation="MEI goods"
    )

    assert response.status_code == 200
    assert "An organisation of this role already has that name." in response.content.decode()
    assert not User.objects.filter(username="other").exists()
    assert Organisation.objects.count() == 1


def test_signup_with_an_invitation_joins_that_organisation(client, merchant):
    invitation = Invitation.objects.create(
        organisation=merchant.organisation,
        email="mei@example.com",
        invited_by=merchant,
        expires_at="2999-01-01T00:00:00Z",
    )

    sign_up(client, role="", organisation="", invitation=invitation.token)

    assert User.objects.get(username="mei").organisation == merchant.organisation


def test_login_and_logout_through_the_portal(client, merchant):
    response = client.post(
        reverse("account_login"), {"login": merchant.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200

    client.post(reverse("account_logout"))

    assert client.get("/").status_code == 302


def test_password_reset_sends_a_mail(client, merchant):
    response = client.post(reverse("account_reset_password"), {"email": merchant.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [merchant.email]


def test_home_asks_strangers_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (Role.MERCHANT, "/organisation/", "/operator/providers/"),
        (Role.PROVIDER, "/organisation/", "/admin/"),
    ],
)
def test_navigation_follows_the_role(client, member_factory, role, present, absent):
    client.force_login(member_factory(role))

    page = client.get("/").content.decode()

    assert f'href="{present}"' in page
    assert f'href="{absent}"' not in page


def test_operator_navigation_and_home(client, operator, pending_provider):
    client.force_login(operator)

    page = client.get("/").content.decode()

    assert 'href="/operator/providers/"' in page
    assert pending_provider.organisation.name in page


def test_pending_provider_sees_the_banner_and_cannot_invite(client, pending_provider):
    client.force_login(pending_provider)

    assert "pending approval" in client.get("/organisation/").content.decode()
    response = client.post("/organisation/", {"email": "mate@example.com"})

    assert response.status_code == 403
    assert "pending approval by an operator" in response.content.decode()
    assert not Invitation.objects.exists()


def test_members_invite_with_htmx_and_get_the_partial(client, merchant):
    client.force_login(merchant)

    response = client.post("/organisation/", {"email": "mate@example.com"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert "mate@example.com" in body
    assert "<html" not in body
    assert Invitation.objects.get().organisation == merchant.organisation


def test_revoking_another_organisations_invitation_is_404(client, merchant, buyer):
    invitation = Invitation.objects.create(
        organisation=buyer.organisation,
        email="x@example.com",
        invited_by=buyer,
        expires_at="2999-01-01T00:00:00Z",
    )
    client.force_login(merchant)

    response = client.post(reverse("invitation-revoke", args=[invitation.pk]))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "open"


def test_members_cannot_open_the_operator_page(client, merchant):
    client.force_login(merchant)

    response = client.get("/operator/providers/")

    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_operator_approves_a_provider_in_the_portal(client, operator, pending_provider):
    client.force_login(operator)

    client.post("/operator/providers/", {"organisation": pending_provider.organisation_id})

    pending_provider.organisation.refresh_from_db()
    assert pending_provider.organisation.status == "active"


def test_admin_action_approves_only_pending_providers(client, operator, pending_provider, merchant):
    client.force_login(operator)
    ids = [pending_provider.organisation_id, merchant.organisation_id]

    client.post(
        reverse("admin:accounts_organisation_changelist"),
        {"action": "approve_providers", "_selected_action": ids},
    )

    assert Organisation.objects.get(pk=ids[0]).status == "active"
    assert Organisation.objects.get(pk=ids[1]).status == "active"  # was active, untouched
    assert Organisation.objects.get(pk=ids[0]).approved_by == operator


def test_every_model_is_in_the_admin_with_search_and_filters(client, operator):
    UserFactory()
    client.force_login(operator)
    from django.apps import apps

    project_apps = {"core", "accounts", "merchants", "influencers", "matchmaking", "commissions"}
    for model in apps.get_models():
        if model._meta.app_label not in project_apps:
            continue
        model_admin = admin.site._registry.get(model)
        assert model_admin is not None, f"{model.__name__} is not in the admin"
        assert model_admin.search_fields, f"{model.__name__} admin has no search"
        assert model_admin.list_filter, f"{model.__name__} admin has no filters"
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "x"}).status_code == 200

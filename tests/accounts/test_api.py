import pytest
from django.core import mail

from accounts.models import Invitation, Organisation, Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def register(api, REMOTE_ADDR="127.0.0.1", **overrides):
    payload = {
        "username": "ling",
        "email": "ling@example.com",
        "password": "A-good-passphrase-42",
        "role": "merchant",
        "organisation": "Ling Trading",
    }
    payload.update(overrides)
    return api.post("/api/v1/auth/register/", payload, format="json", REMOTE_ADDR=REMOTE_ADDR)


@pytest.mark.parametrize(
    ("role", "status"),
    [("merchant", "active"), ("buyer", "active"), ("provider", "pending")],
)
def test_it_registers_each_role_into_a_new_organisation(api, role, status):
    response = register(api, role=role, organisation=f"{role} house")

    assert response.status_code == 201
    token = response.json()["token"]
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["username"] == "ling"
    assert me["role"] == role
    assert me["organisation"]["name"] == f"{role} house"
    assert me["organisation"]["status"] == status
    assert set(me) == {"id", "username", "role", "organisation"}
    assert set(me["organisation"]) == {"id", "name", "status"}


def test_sign_ups_are_limited_per_address_by_the_setting(api, settings):
    settings.SIGNUP_RATE_LIMIT = "2/h"
    answers = [
        register(api, username=f"u{n}", email=f"u{n}@example.com", organisation=f"Org {n}",
                 REMOTE_ADDR="203.0.113.7").status_code
        for n in range(3)
    ]  # fmt: skip

    neighbour = register(api, username="n", email="n@example.com", REMOTE_ADDR="203.0.113.8")

    assert answers == [201, 201, 429]
    assert neighbour.status_code == 201
    assert not User.objects.filter(username="u2").exists()


def test_it_names_every_bad_field_and_creates_nothing(api):
    UserFactory(username="taken", email="taken@example.com")

    response = register(
        api, username="taken", email="taken@example.com", password="123", role="admin"
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"username", "role"}
    assert "email" not in errors  # a registered address is no error: no hint who has an account
    assert errors["username"] == ["This username is taken."]
    assert User.objects.count() == 1
    assert Organisation.objects.count() == 1


def test_it_refuses_an_organisation_name_already_taken_for_the_role(api):
    register(api)
    response = register(
        api, username="other", email="other@example.com", organisation="LING trading"
    )

    assert response.status_code == 400
    assert response.json() == {
        "organisation": ["An organisation of this role already has that name."]
    }
    assert not User.objects.filter(username="other").exists()


def test_it_refuses_a_weak_password_by_field(api):
    response = register(api, password="password")

    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.exists()


def test_it_requires_role_and_organisation_without_an_invitation(api):
    response = register(api, role=None, organisation="")

    assert response.status_code == 400
    assert set(response.json()) == {"role", "organisation"}


def test_it_issues_a_token_for_good_credentials_only(api, merchant):
    good = api.post(
        "/api/v1/auth/token/", {"username": merchant.username, "password": PASSWORD}, format="json"
    )
    bad = api.post(
        "/api/v1/auth/token/", {"username": merchant.username, "password": "nope"}, format="json"
    )

    assert good.status_code == 200
    assert len(good.json()["token"]) == 40
    assert bad.status_code == 400
    assert "token" not in bad.json()


def test_me_needs_identity(api):
    assert api.get("/api/v1/me/").status_code in (401, 403)


def test_me_works_with_a_session_too(client, merchant):
    client.force_login(merchant)

    assert client.get("/api/v1/me/").json()["organisation"]["id"] == merchant.organisation_id


def test_operator_is_me_without_an_organisation(api, operator):
    me = api.as_member(operator).get("/api/v1/me/").json()

    assert me["role"] == "operator"
    assert me["organisation"] is None


class TestPendingProvider:
    def test_it_can_sign_in_and_read(self, api, pending_provider):
        client = api.as_member(pending_provider)

        assert client.get("/api/v1/me/").status_code == 200
        assert client.get("/api/v1/invitations/").status_code == 200

    def test_it_cannot_create_anything(self, api, pending_provider):
        response = api.as_member(pending_provider).post(
            "/api/v1/invitations/", {"email": "mate@example.com"}, format="json"
        )

        assert response.status_code == 403
        assert response.json()["detail"] == "Your organisation is pending approval by an operator."
        assert not Invitation.objects.exists()

    def test_it_can_create_once_approved(self, api, pending_provider, operator):
        approve = api.as_member(operator).post(
            f"/api/v1/providers/{pending_provider.organisation_id}/approve/"
        )
        assert approve.status_code == 200
        assert approve.json()["status"] == "active"

        response = api.as_member(pending_provider).post(
            "/api/v1/invitations/", {"email": "mate@example.com"}, format="json"
        )
        assert response.status_code == 201


class TestProviderApproval:
    def test_it_emails_the_provider_once_approved(
        self, api, pending_provider, operator, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            api.as_member(operator).post(
                f"/api/v1/providers/{pending_provider.organisation_id}/approve/"
            )

        organisation = Organisation.objects.get(pk=pending_provider.organisation_id)
        assert organisation.status == "active"
        assert organisation.approved_by == operator
        assert [m.to for m in mail.outbox] == [[pending_provider.email]]

    def test_approving_twice_is_a_conflict(self, api, pending_provider, operator):
        client = api.as_member(operator)
        url = f"/api/v1/providers/{pending_provider.organisation_id}/approve/"
        client.post(url)

        second = client.post(url)

        assert second.status_code == 409
        assert second.json() == {"detail": "Only a pending provider can be approved."}

    @pytest.mark.parametrize("role", [Role.MERCHANT, Role.BUYER, Role.PROVIDER])
    def test_members_of_any_role_are_forbidden(self, api, member_factory, pending_provider, role):
        response = api.as_member(member_factory(role)).post(
            f"/api/v1/providers/{pending_provider.organisation_id}/approve/"
        )

        assert response.status_code == 403
        assert Organisation.objects.get(pk=pending_provider.organisation_id).status == "pending"

    def test_only_providers_can_be_approved(self, api, operator, merchant):
        response = api.as_member(operator).post(
            f"/api/v1/providers/{merchant.organisation_id}/approve/"
        )

        assert response.status_code == 404

    def test_operator_lists_pending_providers_paginated(self, api, operator, member_factory):
        for _ in range(3):
            member_factory(Role.PROVIDER, status="pending")
        member_factory(Role.PROVIDER)

        body = api.as_member(operator).get("/api/v1/providers/?status=pending&page_size=2").json()

        assert body["count"] == 3
        assert len(body["results"]) == 2
        assert (
            body["next"].endswith("page=2&page_size=2&status=pending") or "page=2" in body["next"]
        )
        assert body["previous"] is None
        assert {row["status"] for row in body["results"]} == {"pending"}

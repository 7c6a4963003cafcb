"""Every resource of the accounts app from three sides: owner, teammate, outsider."""

import pytest

from accounts.models import Invitation, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(merchant):
    return merchant


@pytest.fixture
def teammate(owner):
    return UserFactory(organisation=owner.organisation)


@pytest.fixture
def outsider(member_factory):
    return member_factory(Role.MERCHANT)


@pytest.fixture
def invitation(api, owner):
    response = api.as_member(owner).post(
        "/api/v1/invitations/", {"email": "new@example.com"}, format="json"
    )
    assert response.status_code == 201
    return Invitation.objects.get(pk=response.json()["id"])


def test_a_teammate_sees_and_revokes_the_invitation(api, teammate, invitation):
    client = api.as_member(teammate)

    assert client.get(f"/api/v1/invitations/{invitation.pk}/").status_code == 200
    response = client.post(f"/api/v1/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"


def test_another_organisation_gets_404_for_the_invitation(api, outsider, invitation):
    client = api.as_member(outsider)

    assert client.get(f"/api/v1/invitations/{invitation.pk}/").status_code == 404
    assert client.post(f"/api/v1/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.get("/api/v1/invitations/").json()["count"] == 0
    invitation.refresh_from_db()
    assert invitation.status == "open"


def test_revoking_twice_is_a_conflict(api, owner, invitation):
    client = api.as_member(owner)
    client.post(f"/api/v1/invitations/{invitation.pk}/revoke/")

    response = client.post(f"/api/v1/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 409
    assert response.json() == {"detail": "Only an open invitation can be revoked."}


def test_members_list_holds_only_teammates(api, owner, teammate, outsider):
    body = api.as_member(owner).get("/api/v1/members/").json()

    assert sorted(row["username"] for row in body["results"]) == sorted(
        [owner.username, teammate.username]
    )
    assert api.as_member(owner).get(f"/api/v1/members/{outsider.pk}/").status_code == 404


def test_an_invited_person_joins_the_inviting_organisation(api, owner, invitation):
    response = api.post(
        "/api/v1/auth/register/",
        {
            "username": "newbie",
            "email": "new@example.com",
            "password": "A-good-passphrase-42",
            "invitation": invitation.token,
        },
        format="json",
    )

    assert response.status_code == 201
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}").json()
    assert me["organisation"]["id"] == owner.organisation_id
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_a_used_invitation_cannot_be_used_again(api, owner, invitation):
    payload = {"password": "A-good-passphrase-42", "invitation": invitation.token}
    first = api.post(
        "/api/v1/auth/register/",
        {**payload, "username": "one", "email": "new@example.com"},
        format="json",
    )
    assert first.status_code == 201

    response = api.post(
        "/api/v1/auth/register/",
        {**payload, "username": "two", "email": "two@example.com"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"invitation": ["This invitation is not valid any more."]}


def test_inviting_the_same_email_twice_names_the_field(api, owner, invitation):
    response = api.as_member(owner).post(
        "/api/v1/invitations/", {"email": "NEW@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"email": ["This email already has an open invitation."]}

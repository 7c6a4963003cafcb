"""Issue 14, accounts: an invitation admits only its address; a new password (or a revoke) ends
the API token; invitations are limited per organisation; sign-up and invitation answers do not
tell who has an account."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Invitation, Organisation, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-good-passphrase-77"
SENT = "We sent a message to this address if it can join."


def invitation_to(email: str, by: User) -> Invitation:
    return Invitation.objects.create(
        organisation=by.organisation,
        email=email,
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=7),
    )


def register(api, **fields):
    payload = {"username": "newbie", "password": "A-good-passphrase-42", **fields}
    return api.post("/api/v1/auth/register/", payload, format="json")


def portal_sign_up(client, **fields):
    data = {
        "username": "mei",
        "password1": "A-good-passphrase-42",
        "password2": "A-good-passphrase-42",
        "role": "",
        "organisation": "",
        **fields,
    }
    return client.post(reverse("account_signup"), data)


def token_works(api, key: str) -> bool:
    status = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code
    assert status in (200, 401, 403)
    return status == 200


def fresh_token(api, user: User, password: str) -> str:
    response = api.post(
        "/api/v1/auth/token/", {"username": user.username, "password": password}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


# -- an invitation admits only the address it was sent to ----------------------------------


def test_it_refuses_someone_elses_invitation_through_the_api(api, merchant):
    invitation = invitation_to("mate@example.com", merchant)

    response = register(api, email="intruder@example.com", invitation=invitation.token)

    assert response.status_code == 400
    assert response.json() == {
        "invitation": ["Sign up with the email address this invitation was sent to."]
    }
    assert not User.objects.filter(username="newbie").exists()
    invitation.refresh_from_db()
    assert invitation.status == "open"
    assert invitation.accepted_by is None


def test_it_compares_the_invitation_address_in_any_case(api, merchant):
    invitation = invitation_to("mate@example.com", merchant)

    response = register(api, email="Mate@Example.COM", invitation=invitation.token)

    assert response.status_code == 201
    assert User.objects.get(username="newbie").organisation == merchant.organisation
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_the_portal_refuses_someone_elses_invitation(client, merchant):
    invitation = invitation_to("mate@example.com", merchant)

    response = portal_sign_up(client, email="intruder@example.com", invitation=invitation.token)

    assert response.status_code == 200
    assert "Sign up with the email address this invitation was sent to." in (
        response.content.decode()
    )
    assert not User.objects.filter(username="mei").exists()
    invitation.refresh_from_db()
    assert invitation.status == "open"


# -- a new password, or a revoke, ends the API token ---------------------------------------


def test_changing_the_password_in_the_portal_ends_the_api_token(api, client, merchant):
    old = Token.objects.create(user=merchant).key
    client.force_login(merchant)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not token_works(api, old)
    new = fresh_token(api, merchant, NEW_PASSWORD)
    assert new != old
    assert token_works(api, new)


def test_resetting_the_password_ends_the_api_token(api, client, merchant):
    old = Token.objects.create(user=merchant).key
    client.post(reverse("account_reset_password"), {"email": merchant.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    form_url = client.get(link[1])["Location"]  # allauth moves the key into the session

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not token_works(api, old)
    assert token_works(api, fresh_token(api, merchant, NEW_PASSWORD))


def test_an_operator_setting_a_password_in_the_admin_ends_the_api_token(
    api, client, operator, merchant
):
    old = Token.objects.create(user=merchant).key
    client.force_login(operator)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[merchant.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not token_works(api, old)
    assert token_works(api, fresh_token(api, merchant, NEW_PASSWORD))


def test_revoking_the_token_ends_it_at_once(api, merchant):
    old = Token.objects.create(user=merchant).key

    response = api.post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {old}")

    assert response.status_code == 204
    assert response.content == b""
    assert not token_works(api, old)
    new = fresh_token(api, merchant, PASSWORD)
    assert new != old
    assert token_works(api, new)


def test_revoking_needs_the_token_itself(api, client, merchant):
    key = Token.objects.create(user=merchant).key
    client.force_login(merchant)

    by_session = client.post("/api/v1/auth/token/revoke/")
    anonymous = api.post("/api/v1/auth/token/revoke/")
    bad_token = api.post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION="Token nope")

    assert by_session.status_code == 401
    assert anonymous.status_code == 401
    assert bad_token.status_code == 401
    assert token_works(api, key)


def test_the_schema_documents_the_revoke_endpoint_and_registers_202(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert set(paths["/api/v1/auth/token/revoke/"]["post"]["responses"]) == {"204"}
    assert {"201", "202"} <= set(paths["/api/v1/auth/register/"]["post"]["responses"])


# -- invitations are limited per organisation ----------------------------------------------


def test_invitations_are_limited_per_organisation(
    api, settings, merchant, member_factory, django_capture_on_commit_callbacks
):
    settings.INVITATION_RATE_LIMIT = "2/day"
    teammate = UserFactory(organisation=merchant.organisation)
    neighbour = member_factory()

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            api.as_member(user).post("/api/v1/invitations/", {"email": email}, format="json")
            for user, email in [
                (merchant, "a@example.com"),
                (teammate, "b@example.com"),
                (merchant, "c@example.com"),
                (teammate, "d@example.com"),
            ]
        ]
        elsewhere = api.as_member(neighbour).post(
            "/api/v1/invitations/", {"email": "e@example.com"}, format="json"
        )

    assert [answer.status_code for answer in answers] == [201, 201, 429, 429]
    assert 0 < int(answers[2]["Retry-After"]) <= 2 * 86400  # a sliding day
    assert (
        answers[2].json()["detail"].startswith("Your organisation has sent too many invitations.")
    )
    assert elsewhere.status_code == 201
    invited = Invitation.objects.filter(organisation=merchant.organisation)
    assert sorted(invited.values_list("email", flat=True)) == ["a@example.com", "b@example.com"]
    assert [message.to for message in mail.outbox] == [
        ["a@example.com"],
        ["b@example.com"],
        ["e@example.com"],
    ]


def test_the_portal_says_when_the_invitation_limit_is_reached(
    client, settings, merchant, django_capture_on_commit_callbacks
):
    settings.INVITATION_RATE_LIMIT = "1/day"
    client.force_login(merchant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/organisation/", {"email": "a@example.com"})

        response = client.post("/organisation/", {"email": "b@example.com"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert re.search(
        r"Your organisation has sent too many invitations\. Try again in \d+ minutes?\.",
        response.content.decode(),
    )
    assert list(Invitation.objects.values_list("email", flat=True)) == ["a@example.com"]
    assert len(mail.outbox) == 1


# -- answers do not tell who has an account ------------------------------------------------


def comparable(invitation_body: dict) -> dict:
    return {
        key: value
        for key, value in invitation_body.items()
        if key not in {"id", "email", "created_at", "expires_at"}
    }


def test_inviting_a_registered_address_answers_as_for_a_new_one(
    api, merchant, buyer, django_capture_on_commit_callbacks
):
    client = api.as_member(merchant)

    with django_capture_on_commit_callbacks(execute=True):
        new = client.post("/api/v1/invitations/", {"email": "new@example.com"}, format="json")
        registered = client.post(
            "/api/v1/invitations/", {"email": buyer.email.upper()}, format="json"
        )

    assert new.status_code == registered.status_code == 201
    assert set(new.json()) == set(registered.json())
    assert (
        comparable(new.json())
        == comparable(registered.json())
        == {
            "status": "open",
            "invited_by": merchant.username,
        }
    )
    code_mail, notice = mail.outbox
    invitation = Invitation.objects.get(email="new@example.com")
    assert code_mail.to == ["new@example.com"]
    assert invitation.token in code_mail.body
    assert notice.to == [buyer.email]
    assert (
        notice.subject
        == code_mail.subject
        == f"You are invited to join {merchant.organisation.name}"
    )
    assert "already has an account" in notice.body
    assert "belongs to one organisation only" in notice.body
    assert Invitation.objects.get(email=buyer.email).token not in notice.body


def test_the_portal_invitation_answer_is_the_same_for_a_registered_address(
    client, merchant, buyer, django_capture_on_commit_callbacks
):
    client.force_login(merchant)

    with django_capture_on_commit_callbacks(execute=True):
        new = client.post("/organisation/", {"email": "new@example.com"})
        registered = client.post("/organisation/", {"email": buyer.email})

    assert new.status_code == registered.status_code == 200
    assert "We sent a message to new@example.com if this address can join." in (
        new.content.decode()
    )
    assert f"We sent a message to {buyer.email} if this address can join." in (
        registered.content.decode()
    )
    assert "already" not in registered.content.decode().lower()
    assert [message.to for message in mail.outbox] == [["new@example.com"], [buyer.email]]


def test_inviting_a_teammate_tells_them_there_is_nothing_to_do(
    api, merchant, django_capture_on_commit_callbacks
):
    teammate = UserFactory(organisation=merchant.organisation)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_member(merchant).post(
            "/api/v1/invitations/", {"email": teammate.email}, format="json"
        )

    assert response.status_code == 201
    assert "already belongs to" in mail.outbox[0].body


def test_registering_a_registered_address_answers_202_and_mails_its_owner(api, buyer):
    response = register(api, email=buyer.email.upper(), role="merchant", organisation="Shadow")

    assert response.status_code == 202
    assert response.json() == {"detail": SENT}
    assert not User.objects.filter(username="newbie").exists()
    assert not Organisation.objects.filter(name="Shadow").exists()
    assert [message.to for message in mail.outbox] == [[buyer.email]]
    assert "already exists" in mail.outbox[0].body


def test_registering_a_registered_address_with_its_invitation_leaves_it_open(api, merchant, buyer):
    invitation = invitation_to(buyer.email, merchant)

    response = register(api, email=buyer.email, invitation=invitation.token)

    assert response.status_code == 202
    assert response.json() == {"detail": SENT}
    invitation.refresh_from_db()
    assert invitation.status == "open"
    assert buyer.organisation != merchant.organisation


def test_a_registered_address_gets_the_same_field_errors_as_a_new_one(api, buyer):
    registered = register(api, email=buyer.email, password="password", organisation="X")
    new = register(api, email="new@example.com", password="password", organisation="X")

    assert registered.status_code == new.status_code == 400
    assert registered.json() == new.json()
    assert set(registered.json()) == {"role"}
    assert mail.outbox == []


def test_the_portal_sign_up_does_not_say_the_address_is_registered(client, buyer):
    response = portal_sign_up(
        client, email=buyer.email.upper(), role="merchant", organisation="Shadow"
    )

    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert SENT in body
    assert "already" not in body.lower()
    assert not User.objects.filter(username="mei").exists()
    assert not Organisation.objects.filter(name="Shadow").exists()
    assert "_auth_user_id" not in client.session
    assert [message.to for message in mail.outbox] == [[buyer.email]]
    assert "already exists" in mail.outbox[0].body

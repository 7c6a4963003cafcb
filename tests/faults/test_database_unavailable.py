"""core.middleware.DatabaseUnavailableMiddleware: a view that loses the database answers
503 with Retry-After (JSON for the API, a plain page for the portal), other errors stay 500.
The end-to-end check with a real PostgreSQL restart is test_postgres_restart.py."""

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.faults.down_urls")


def test_the_api_answers_503_with_retry_after_and_a_short_json_body(client):
    response = client.get("/api/v1/down/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The service is briefly unavailable. Please try again in a few seconds."
    }


def test_the_portal_answers_503_with_a_plain_page(client):
    response = client.get("/down/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b"<h1>Service unavailable</h1>" in response.content
    assert b"Traceback" not in response.content and b"5432" not in response.content


def test_a_closed_connection_is_an_outage_too(client):
    response = client.get("/closed/")

    assert (response.status_code, response["Retry-After"]) == (503, "5")


def test_any_other_error_is_still_a_500():
    response = Client(raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_an_outage_is_logged_once_per_window_not_per_request(client, caplog):
    """A fresh client is a fresh handler: its middleware has not logged yet."""
    caplog.set_level(logging.WARNING)

    for _ in range(3):
        assert client.get("/down/").status_code == 503

    warnings = [r for r in caplog.records if r.name == "core.middleware"]
    assert [r.getMessage() for r in warnings] == [
        "database unavailable, 1 request(s) answered 503 (OperationalError: connection to "
        'server at "127.0.0.1", port 5432 failed: Connection refused)'
    ]
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_an_outage_inside_another_middleware_is_a_503_too(settings):
    # The session is saved by SessionMiddleware after the view: the error comes back out of
    # the middleware chain as a 500 response, not as an exception.
    settings.SESSION_ENGINE = "tests.faults.broken_session"

    # (the test client would re-raise the exception Django logged; a server does not)
    response = Client(raise_request_exception=False).get("/session/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"<h1>Service unavailable</h1>" in response.content

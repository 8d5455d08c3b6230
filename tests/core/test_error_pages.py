"""403 and 404 pages in the portal's layout, quiet logs for intended refusals, docs behind the login (issue 18)."""

from __future__ import annotations

import logging
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.logging import ExpectedRefusals
from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    """The demo's ``admin``: a superuser without any portal role."""
    return UserFactory(username="root", is_superuser=True, is_staff=True, roles=[])


# --- 403 ------------------------------------------------------------------------------------------
def test_it_shows_the_403_page_in_the_layout_with_a_way_home(client_as, outsider):
    response = client_as(outsider).get("/dashboard/")

    page = response.content.decode()
    assert response.status_code == 403
    assert 'class="site-header"' in page  # the portal's layout, navigation included
    assert 'data-testid="error-403"' in page
    assert "You are not allowed to open this page" in page
    assert "The dashboards are for managers, sales reps and project managers." in page
    assert 'href="/"' in page and "Go to your home page" in page


def test_it_offers_the_way_back_to_the_previous_page_of_the_portal(client_as, outsider):
    response = client_as(outsider).get("/dashboard/", HTTP_REFERER="http://testserver/offers/?status=open")

    assert 'href="http://testserver/offers/?status=open"' in response.content.decode()
    assert "Back to the previous page" in response.content.decode()


def test_it_offers_no_way_back_to_another_site(client_as, outsider):
    response = client_as(outsider).get("/dashboard/", HTTP_REFERER="https://evil.example.com/")

    assert "evil.example.com" not in response.content.decode()
    assert "Back to the previous page" not in response.content.decode()


def test_an_htmx_request_gets_the_403_too(client_as, outsider):
    response = client_as(outsider).get("/dashboard/", HTTP_HX_REQUEST="true")

    assert response.status_code == 403


def test_the_api_keeps_answering_403_in_json(api_as, outsider):
    response = api_as(outsider).get("/api/v1/dashboard/")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")


# --- 404 ------------------------------------------------------------------------------------------
def test_it_shows_the_404_page_in_the_layout(client_as, rep):
    response = client_as(rep).get("/offers/999999/")

    page = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-header"' in page
    assert 'data-testid="error-404"' in page
    assert "This page does not exist" in page
    assert "Go to your home page" in page
    assert "No Offer matches" not in page  # the lookup's own message is for developers


def test_an_unknown_path_gets_the_404_page(client_as, rep):
    response = client_as(rep).get("/no-such-page/")

    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()


def test_an_anonymous_visitor_gets_the_404_page_with_the_login(client):
    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-404"' in page
    assert 'href="/login/"' in page
    assert 'class="site-header"' not in page  # no navigation for someone not signed in


def test_an_unknown_api_path_answers_json(api_as, rep):
    response = api_as(rep).get("/api/v1/offers/abc/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- Logging --------------------------------------------------------------------------------------
def _request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_an_intended_403_is_logged_as_one_line_without_a_traceback(client_as, outsider, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        client_as(outsider).get("/dashboard/")

    records = _request_records(caplog)
    assert [record.getMessage() for record in records] == ["Forbidden (Permission denied): /dashboard/"]
    assert records[0].levelno == logging.INFO
    assert records[0].exc_info is None


def test_an_intended_404_is_logged_without_a_traceback(client_as, rep, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        client_as(rep).get("/offers/999999/")

    # Django's one-line "Not Found: /offers/999999/" warning stays (an access-log fact); no traceback, no error.
    records = _request_records(caplog)
    assert records and all(record.exc_info is None and record.levelno < logging.ERROR for record in records)


def _record(exc: BaseException, status: int) -> logging.LogRecord:
    try:
        raise exc
    except BaseException:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "failed", (), exc_info)
    record.status_code = status
    return record


def test_the_filter_keeps_the_traceback_of_a_real_error():
    record = _record(RuntimeError("boom"), 500)

    assert ExpectedRefusals().filter(record) is True
    assert record.exc_info is not None and record.levelno == logging.ERROR


@pytest.mark.parametrize(("exc", "status"), [(PermissionDenied("no"), 403), (Http404("gone"), 404)])
def test_the_filter_quiets_intended_refusals(exc, status):
    record = _record(exc, status)

    assert ExpectedRefusals().filter(record) is True
    assert record.exc_info is None and record.levelno == logging.INFO


def test_the_filter_is_wired_on_the_request_logger():
    from django.conf import settings

    assert "expected_refusals" in settings.LOGGING["loggers"]["django.request"]["filters"]
    assert any(isinstance(f, ExpectedRefusals) for f in logging.getLogger("django.request").filters)


# --- Superusers see the dashboards ----------------------------------------------------------------
def test_a_superuser_without_a_role_sees_the_company_dashboard(client_as, superuser):
    response = client_as(superuser).get("/dashboard/")

    assert response.status_code == 200
    assert 'href="/dashboard/"' in client_as(superuser).get("/").content.decode()  # and finds it in the menu


def test_a_superuser_gets_the_dashboard_from_the_api(api_as, superuser):
    response = api_as(superuser).get("/api/v1/dashboard/")

    assert response.status_code == 200
    assert response.json()["view"] == "manager"


# --- The API docs ----------------------------------------------------------------------------------
def test_an_anonymous_visitor_of_the_api_docs_logs_in_and_comes_back(client):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/api/docs/"


def test_a_signed_in_user_reads_the_api_docs(client_as, rep):
    assert client_as(rep).get("/api/docs/").status_code == 200


def test_the_schema_still_answers_401_to_an_anonymous_client(api):
    assert api.get("/api/schema/").status_code == 401

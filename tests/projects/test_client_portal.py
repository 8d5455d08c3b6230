"""The client's page at /c/ and the JSON door /api/v1/client-portal/ (SPEC §7.5), used as the client."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client as BrowserClient
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Activity
from handoff.services.handoffs import handoff_accept
from projects.models import ChangeRequest, ClientIssue, ClientLink, ClientPulse, Deliverable, ProjectRisk
from projects.services import client_links as services
from projects.services.deliverables import deliverable_add, deliverable_submit
from projects.views.client_portal import COOKIE
from tests.factories import ContactFactory
from tests.projects.factories import accepted_project, won_handoff

pytestmark = pytest.mark.django_db

PORTAL = "/api/v1/client-portal/"


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


@pytest.fixture
def issued(project, pm):
    contact = ContactFactory(client=project.client, name="Jane Doe", email="jane@client.example")
    return services.client_link_issue(actor=pm, project=project, contact=contact)


@pytest.fixture
def token(issued):
    return issued[1]


@pytest.fixture
def submitted(project, pm):
    return deliverable_submit(deliverable=deliverable_add(project=project, actor=pm, name="Design document"), actor=pm)


@pytest.fixture
def browser(token):
    """A browser with no session that opened the link: it holds the cookie, not the token in its URL."""
    client = BrowserClient(enforce_csrf_checks=True)
    response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    return client


@pytest.fixture
def door(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"ClientLink {token}")
    return client


def csrf_post(client, url, data):
    page = client.get("/c/")
    data = {"csrfmiddlewaretoken": page.context["csrf_token"], **data}
    return client.post(url, data)


def state():
    return (
        list(Deliverable.objects.values_list("id", "status", "rejection_reason").order_by("id")),
        ClientPulse.objects.count(),
        ClientIssue.objects.count(),
        Activity.objects.count(),
    )


# --- Entering ----------------------------------------------------------------------------------
def test_the_first_visit_swaps_the_token_for_a_strict_cookie_and_moves_on(token):
    client = BrowserClient()
    response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert 'http-equiv="refresh" content="0;url=/c/"' in response.content.decode()
    cookie = response.cookies[COOKIE]
    assert cookie.value == token
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/c/"
    assert not cookie["secure"]  # development; production sets SESSION_COOKIE_SECURE
    page = client.get("/c/")
    assert page.status_code == 200
    assert token not in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"


@override_settings(SESSION_COOKIE_SECURE=True)
def test_the_cookie_is_secure_in_production(token):
    assert BrowserClient().get(f"/c/{token}/").cookies[COOKIE]["secure"]


@pytest.mark.parametrize("bad", ["x", "A" * 43, "A" * 300])
def test_an_unknown_token_gets_the_plain_page(issued, bad):
    response = BrowserClient().get(f"/c/{bad}/")
    assert response.status_code == 404
    assert "This link is no longer valid" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"
    assert COOKIE not in response.cookies or response.cookies[COOKIE].value == ""


def test_an_expired_or_revoked_link_gets_the_same_page(issued, browser, pm):
    link, token = issued
    unknown = BrowserClient().get("/c/" + "B" * 43 + "/").content
    ClientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert BrowserClient().get(f"/c/{token}/").content == unknown
    assert browser.get("/c/").status_code == 404
    ClientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    services.client_link_revoke(actor=pm, link=link)
    assert BrowserClient().get(f"/c/{token}/").content == unknown


def test_without_a_cookie_the_page_refuses(issued):
    assert BrowserClient().get("/c/").status_code == 404


@override_settings(CLIENT_LINK_GUESSES_PER_IP=3)
def test_guessing_is_throttled_per_ip_with_retry_after(issued):
    client = BrowserClient()
    codes = [client.get(f"/c/{'C' * 42}{index}/").status_code for index in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    throttled = client.get(f"/c/{issued[1]}/")  # even the right token waits
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    other_ip = BrowserClient(REMOTE_ADDR="10.0.0.9").get(f"/c/{issued[1]}/")
    assert other_ip.status_code == 200


# --- Acting on the page --------------------------------------------------------------------------
def test_the_client_accepts_a_deliverable_on_the_page(browser, submitted):
    response = csrf_post(
        browser, f"/c/deliverables/{submitted.pk}/decision/", {f"d{submitted.pk}-decision": "accepted"}
    )
    assert response.status_code == 302 and response["Location"] == "/c/?done=accepted"
    assert Deliverable.objects.get(pk=submitted.pk).decided_by.name == "Jane Doe"
    assert "you accepted" in browser.get(response["Location"]).content.decode()


def test_a_rejection_without_a_reason_is_refused_on_the_page(browser, submitted):
    before = state()
    response = csrf_post(
        browser, f"/c/deliverables/{submitted.pk}/decision/", {f"d{submitted.pk}-decision": "rejected"}
    )
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert state() == before


def test_a_second_decision_is_refused_on_the_page(browser, submitted):
    url = f"/c/deliverables/{submitted.pk}/decision/"
    csrf_post(browser, url, {f"d{submitted.pk}-decision": "accepted"})
    before = state()
    response = csrf_post(browser, url, {f"d{submitted.pk}-decision": "rejected", f"d{submitted.pk}-reason": "x"})
    assert response.status_code == 409 and "not submitted" in response.content.decode()
    assert state() == before


def test_a_deliverable_of_another_project_is_not_found_on_the_page(browser, rep, other_pm):
    elsewhere = accepted_project(owner=rep, pm=other_pm, title="Other deal")
    theirs = deliverable_submit(
        deliverable=deliverable_add(project=elsewhere, actor=other_pm, name="X"), actor=other_pm
    )
    before = state()
    response = csrf_post(browser, f"/c/deliverables/{theirs.pk}/decision/", {f"d{theirs.pk}-decision": "accepted"})
    assert response.status_code == 404
    assert state() == before


def test_the_page_refuses_a_post_without_csrf(browser, submitted):
    response = browser.post(f"/c/deliverables/{submitted.pk}/decision/", {f"d{submitted.pk}-decision": "accepted"})
    assert response.status_code == 403
    assert Deliverable.objects.get(pk=submitted.pk).status == "submitted"


def test_the_client_answers_the_pulse_on_the_page(browser):
    response = csrf_post(browser, "/c/pulse/", {"pulse-mood": "4", "pulse-urgency": "2", "pulse-satisfaction": "5"})
    assert response.status_code == 302
    assert ClientPulse.objects.get().given_by_contact.name == "Jane Doe"


def test_pulse_values_outside_1_to_5_are_refused_on_the_page(browser):
    response = csrf_post(browser, "/c/pulse/", {"pulse-mood": "9", "pulse-urgency": "", "pulse-satisfaction": "3"})
    assert response.status_code == 400
    assert not ClientPulse.objects.exists()


def test_the_client_reports_an_issue_on_the_page(browser, project):
    response = csrf_post(browser, "/c/issues/", {"issue-title": "Login fails", "issue-severity": "high"})
    assert response.status_code == 302
    page = browser.get("/c/").content.decode()
    assert "Login fails" in page


@pytest.mark.parametrize("title", ["", "x" * 100_000])
def test_an_issue_without_a_title_or_with_a_huge_one_is_refused_on_the_page(browser, title):
    response = csrf_post(browser, "/c/issues/", {"issue-title": title, "issue-severity": "low"})
    assert response.status_code == 400
    assert not ClientIssue.objects.exists()


def test_the_page_reads_a_fixed_number_of_queries(browser, project, pm, django_assert_num_queries):
    for index in range(3):
        deliverable_add(project=project, actor=pm, name=f"D{index}")
    browser.get("/c/")  # last_used_at is written at most once a minute
    # link (with project, client, PM, liaison, contact), deliverables, client issues
    with django_assert_num_queries(3):
        assert browser.get("/c/").status_code == 200


@override_settings(CLIENT_LINK_ACTIONS_PER_LINK=2)
def test_each_link_has_an_action_limit(browser):
    data = {"issue-title": "Broken", "issue-severity": "low"}
    codes = [csrf_post(browser, "/c/issues/", data).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert ClientIssue.objects.count() == 2


# --- The JSON door ------------------------------------------------------------------------------
def test_the_door_shows_the_project(door, project, submitted):
    body = door.get(PORTAL).json()
    assert body["project"] == {
        "name": project.name,
        "status": project.status,
        "planned_start": project.planned_start.isoformat() if project.planned_start else None,
        "planned_end": project.planned_end.isoformat() if project.planned_end else None,
    }
    names = [item["name"] for item in body["deliverables"]]
    assert "Design document" in names and len(names) == project.deliverables.count()
    assert body["contact"] == "Jane Doe" and body["issues"] == []


def test_the_door_reads_a_fixed_number_of_queries(door, project, pm, django_assert_num_queries):
    for index in range(3):
        deliverable_add(project=project, actor=pm, name=f"D{index}")
    door.get(PORTAL)  # last_used_at is written at most once a minute
    # link (with project, client, PM, liaison, contact), deliverables, client issues
    with django_assert_num_queries(3):
        assert door.get(PORTAL).status_code == 200


@pytest.mark.parametrize(
    "header", [None, "ClientLink", "ClientLink x", "ClientLink " + "A" * 43, "Token abc", "ClientLink a b"]
)
def test_the_door_answers_401_without_a_valid_link(issued, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(PORTAL)
    assert response.status_code == 401
    assert response.get("WWW-Authenticate") == "ClientLink" or (header and header.startswith("Token"))


def test_a_staff_session_is_no_client_link(api_as, pm, issued):
    assert api_as(pm).get(PORTAL).status_code == 401


def test_the_door_decides(door, submitted):
    url = f"{PORTAL}deliverables/{submitted.pk}/decision/"
    assert door.post(url, {"decision": "rejected"}, format="json").status_code == 400
    response = door.post(url, {"decision": "rejected", "reason": "Too thin"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    again = door.post(url, {"decision": "accepted"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"


def test_the_door_does_not_find_another_projects_deliverable(door, rep, other_pm):
    elsewhere = accepted_project(owner=rep, pm=other_pm, title="Other deal")
    theirs = deliverable_submit(
        deliverable=deliverable_add(project=elsewhere, actor=other_pm, name="X"), actor=other_pm
    )
    response = door.post(f"{PORTAL}deliverables/{theirs.pk}/decision/", {"decision": "accepted"}, format="json")
    assert response.status_code == 404
    assert Deliverable.objects.get(pk=theirs.pk).status == "submitted"


def test_the_door_answers_the_pulse_and_reports_issues(door):
    assert door.post(f"{PORTAL}pulses/", {"mood": 6, "urgency": 3, "satisfaction": 3}, format="json").status_code == 400
    pulse = door.post(f"{PORTAL}pulses/", {"mood": 2, "urgency": 3, "satisfaction": 3, "note": "Hm"}, format="json")
    assert pulse.status_code == 201 and pulse.json()["mood"] == 2
    for title in ("", "x" * 100_000):
        bad = door.post(f"{PORTAL}issues/", {"title": title, "description": "", "severity": "low"}, format="json")
        assert bad.status_code == 400 and "title" in bad.json()
    issue = door.post(f"{PORTAL}issues/", {"title": "Slow", "description": "", "severity": "high"}, format="json")
    assert issue.status_code == 201
    assert door.get(PORTAL).json()["issues"][0]["title"] == "Slow"


def test_a_revoked_link_gets_401_at_the_door(door, issued, pm):
    services.client_link_revoke(actor=pm, link=issued[0])
    assert door.get(PORTAL).status_code == 401
    assert door.post(f"{PORTAL}issues/", {"title": "x", "severity": "low"}, format="json").status_code == 401
    assert not ClientIssue.objects.exists()


@override_settings(CLIENT_LINK_GUESSES_PER_IP=2)
def test_the_door_throttles_guesses(issued):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="ClientLink " + "D" * 43)
    codes = [client.get(PORTAL).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert int(client.get(PORTAL)["Retry-After"]) > 0


@override_settings(CLIENT_LINK_ACTIONS_PER_LINK=1)
def test_the_door_limits_actions_per_link(door):
    data = {"title": "Slow", "severity": "low"}
    assert door.post(f"{PORTAL}issues/", data, format="json").status_code == 201
    throttled = door.post(f"{PORTAL}issues/", data, format="json")
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert door.get(PORTAL).status_code == 200  # reading is not an action


# --- What the link never shows ---------------------------------------------------------------------
def test_nothing_confidential_leaks(rep, pm, other_pm, browser, door, project, submitted):
    from projects.services.changes import change_request_raise
    from projects.services.issues import issue_create

    secrets_seeded = [
        "They are also talking to a competitor.",  # confidential notes
        "The CFO and the plant manager disagree",  # brief politics
        "Family-owned manufacturer",  # brief background
        "Legacy interfaces undocumented",  # risk title
        "48000",  # budget
        "48,000",
        "48.000",
    ]
    change_request_raise(
        project=project,
        actor=pm,
        data={"title": "Extra interface", "description": "", "cost_impact": Decimal("7777.77")},
    )
    secrets_seeded += ["7777", "Extra interface"]
    issue_create(
        actor=pm,
        client=project.client,
        data={"title": "Internal escalation", "project": project.pk, "reported_through": "pm"},
    )
    secrets_seeded.append("Internal escalation")
    other = handoff_accept(handoff=won_handoff(owner=rep, reviewer=other_pm, title="Secret other deal"), actor=other_pm)
    secrets_seeded += [other.name, other.client.name]
    assert ProjectRisk.objects.filter(project=project).exists() and ChangeRequest.objects.exists()
    answers = [browser.get("/c/").content.decode(), door.get(PORTAL).content.decode()]
    answers.append(
        door.post(
            f"{PORTAL}deliverables/{submitted.pk}/decision/", {"decision": "accepted"}, format="json"
        ).content.decode()
    )
    answers.append(
        door.post(f"{PORTAL}pulses/", {"mood": 3, "urgency": 3, "satisfaction": 3}, format="json").content.decode()
    )
    answers.append(door.post(f"{PORTAL}issues/", {"title": "Ours", "severity": "low"}, format="json").content.decode())
    for answer in answers:
        for secret in secrets_seeded:
            assert secret not in answer, secret
        assert "Design document" in answers[0]

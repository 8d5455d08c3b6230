"""Client links (SPEC §7.5): issuing, revoking, resolving tokens, and the client's actions through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import TransitionNotAllowed
from core.models import Activity
from notifications.events import Event
from notifications.models import Channel, Notification
from projects.models import ClientIssue, ClientLink, ClientPulse, Deliverable, DeliverableStatus, ReportedThrough
from projects.services import client_links as services
from projects.services.deliverables import deliverable_add, deliverable_submit
from tests.factories import ContactFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


@pytest.fixture
def contact(project):
    return ContactFactory(client=project.client, name="Jane Doe", email="jane@client.example")


@pytest.fixture
def issued(project, contact, pm):
    return services.client_link_issue(actor=pm, project=project, contact=contact)


@pytest.fixture
def link(issued):
    return issued[0]


@pytest.fixture
def submitted(project, pm):
    deliverable = deliverable_add(project=project, actor=pm, name="Design document")
    return deliverable_submit(deliverable=deliverable, actor=pm)


def snapshot():
    """Everything a refused action must leave as it was."""
    return (
        list(Deliverable.objects.values_list("id", "status", "decided_by", "rejection_reason").order_by("id")),
        ClientPulse.objects.count(),
        ClientIssue.objects.count(),
        Activity.objects.count(),
        Notification.objects.count(),
        list(ClientLink.objects.values_list("id", "revoked_at").order_by("id")),
    )


# --- Issuing -------------------------------------------------------------------------------------
def test_it_issues_a_link_with_a_random_token_and_stores_only_a_keyed_hash(issued, contact, pm):
    link, token = issued
    assert len(token) == 43 and services.TOKEN_RE.match(token)
    assert link.token_hash == services.hash_token(token) != token
    assert token not in link.token_hash
    assert link.contact == contact and link.created_by == pm and link.is_active
    assert abs(link.expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)
    assert Activity.objects.filter(verb="client_link_issued").count() == 1


def test_it_never_issues_the_same_token_twice(project, contact, pm):
    tokens = {services.client_link_issue(actor=pm, project=project, contact=contact)[1] for _ in range(5)}
    assert len(tokens) == 5


def test_the_sales_liaison_issues_a_link_too(project, contact, rep):
    link, _ = services.client_link_issue(actor=rep, project=project, contact=contact, expires_in_days=1)
    assert link.created_by == rep


@pytest.mark.parametrize("days", [0, 91, -1, "x", 2.5, True])
def test_it_refuses_a_validity_outside_1_to_90_days(project, contact, pm, days):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.client_link_issue(actor=pm, project=project, contact=contact, expires_in_days=days)
    assert "expires_in_days" in error.value.message_dict
    assert snapshot() == before


def test_it_refuses_a_contact_of_another_client(project, pm):
    stranger = ContactFactory(name="Someone Else")
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.client_link_issue(actor=pm, project=project, contact=stranger)
    assert project.client.name in error.value.message_dict["contact"][0]
    assert snapshot() == before


def test_it_refuses_a_rep_who_is_not_the_liaison(project, contact, other_rep, other_pm, manager, outsider):
    before = snapshot()
    for person in (other_rep, other_pm, manager, outsider):
        with pytest.raises(PermissionDenied):
            services.client_link_issue(actor=person, project=project, contact=contact)
    assert snapshot() == before


def test_it_refuses_to_email_a_contact_without_an_address(project, pm):
    silent = ContactFactory(client=project.client, email="")
    with pytest.raises(ValidationError) as error:
        services.client_link_issue(actor=pm, project=project, contact=silent, send_email=True)
    assert "send_email" in error.value.message_dict
    assert not ClientLink.objects.exists()


def test_it_emails_the_link_through_the_outbox_and_forgets_it_once_sent(
    project, contact, pm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link, token = services.client_link_issue(actor=pm, project=project, contact=contact, send_email=True)
    assert [message.to for message in mail.outbox] == [["jane@client.example"]]
    assert f"/c/{token}/" in mail.outbox[0].body
    row = Notification.objects.get(event=Event.CLIENT_LINK_INVITE)
    assert (row.recipient, row.to_email, row.status) == (None, "jane@client.example", "sent")
    assert row.url == ""  # the database keeps no working copy of the link
    assert link.emailed


# --- Resolving ------------------------------------------------------------------------------------
def test_it_resolves_the_token(issued):
    link, token = issued
    assert services.client_link_resolve(token) == link


@pytest.mark.parametrize("bad", ["", "x", None, 42, "A" * 43, "A" * 500, "../../etc/passwd", "é" * 43])
def test_it_refuses_unknown_or_malformed_tokens(issued, bad):
    with pytest.raises(services.InvalidClientLink):
        services.client_link_resolve(bad)


def test_it_refuses_a_truncated_token(issued):
    with pytest.raises(services.InvalidClientLink):
        services.client_link_resolve(issued[1][:-1])


def test_it_refuses_an_expired_link(issued):
    link, token = issued
    ClientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(services.InvalidClientLink):
        services.client_link_resolve(token)


def test_it_refuses_a_revoked_link(issued, pm):
    link, token = issued
    services.client_link_revoke(actor=pm, link=link)
    with pytest.raises(services.InvalidClientLink):
        services.client_link_resolve(token)


# --- Revoking ------------------------------------------------------------------------------------
def test_a_manager_revokes_a_link(link, manager):
    revoked = services.client_link_revoke(actor=manager, link=link)
    assert revoked.revoked_by == manager and revoked.revoked_at is not None
    assert Activity.objects.filter(verb="client_link_revoked").count() == 1


def test_it_refuses_to_revoke_twice(link, pm):
    services.client_link_revoke(actor=pm, link=link)
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        services.client_link_revoke(actor=pm, link=link)
    assert snapshot() == before


def test_it_refuses_a_revocation_by_someone_else(link, other_rep, other_pm, outsider):
    for person in (other_rep, other_pm, outsider):
        with pytest.raises(PermissionDenied):
            services.client_link_revoke(actor=person, link=link)
    assert ClientLink.objects.get().revoked_at is None


def test_managers_see_every_link_and_the_team_their_projects(link, pm, rep, manager, other_pm, other_rep):
    assert list(services.client_links_visible_to(manager)) == [link]
    assert list(services.client_links_visible_to(pm)) == [link]
    assert list(services.client_links_visible_to(rep)) == [link]
    assert list(services.client_links_visible_to(other_pm)) == []
    assert list(services.client_links_visible_to(other_rep)) == []


# --- The client's actions ------------------------------------------------------------------------
def test_the_client_accepts_a_submitted_deliverable_as_themselves(link, submitted, project, pm, rep):
    deliverable = services.client_deliverable_decide(link=link, deliverable=submitted.pk, decision="accepted")
    assert (deliverable.status, deliverable.decided_by) == (DeliverableStatus.ACCEPTED, link.contact)
    entry = Activity.objects.filter(verb="deliverable_accepted").get()
    assert entry.actor is None and entry.actor_name == "Jane Doe (client, through the link)"
    told = Notification.objects.filter(event=Event.DELIVERABLE_DECIDED, channel=Channel.IN_APP)
    assert set(told.values_list("recipient", flat=True)) == {pm.pk, rep.pk}
    assert "through the client link" in told.first().body


def test_the_client_rejects_with_a_reason(link, submitted):
    deliverable = services.client_deliverable_decide(
        link=link, deliverable=submitted.pk, decision="rejected", reason="Chapter 3 is missing"
    )
    assert (deliverable.status, deliverable.rejection_reason) == ("rejected", "Chapter 3 is missing")


def test_it_refuses_a_rejection_without_a_reason(link, submitted):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.client_deliverable_decide(link=link, deliverable=submitted.pk, decision="rejected", reason=" ")
    assert "reason" in error.value.message_dict
    assert snapshot() == before


def test_it_refuses_a_decision_on_a_deliverable_that_is_not_submitted(link, project, pm):
    planned = deliverable_add(project=project, actor=pm, name="Go-live")
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        services.client_deliverable_decide(link=link, deliverable=planned.pk, decision="accepted")
    assert snapshot() == before


def test_it_refuses_a_second_decision(link, submitted):
    services.client_deliverable_decide(link=link, deliverable=submitted.pk, decision="accepted")
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        services.client_deliverable_decide(link=link, deliverable=submitted.pk, decision="rejected", reason="No")
    assert snapshot() == before


def test_it_does_not_find_a_deliverable_of_another_project(link, rep, other_pm):
    elsewhere = accepted_project(owner=rep, pm=other_pm, title="Other deal")
    theirs = deliverable_submit(
        deliverable=deliverable_add(project=elsewhere, actor=other_pm, name="X"), actor=other_pm
    )
    before = snapshot()
    with pytest.raises(Deliverable.DoesNotExist):
        services.client_deliverable_decide(link=link, deliverable=theirs.pk, decision="accepted")
    assert snapshot() == before


@pytest.mark.parametrize("decision", ["", "approved", None, "ACCEPTED"])
def test_it_refuses_an_unknown_decision(link, submitted, decision):
    with pytest.raises(ValidationError):
        services.client_deliverable_decide(link=link, deliverable=submitted.pk, decision=decision)
    assert Deliverable.objects.get(pk=submitted.pk).status == "submitted"


def test_a_revoked_link_acts_no_more(link, submitted, pm):
    services.client_link_revoke(actor=pm, link=link)
    before = snapshot()
    with pytest.raises(services.InvalidClientLink):
        services.client_deliverable_decide(link=link, deliverable=submitted.pk, decision="accepted")
    with pytest.raises(services.InvalidClientLink):
        services.client_pulse_answer(link=link, mood=3, urgency=3, satisfaction=3)
    with pytest.raises(services.InvalidClientLink):
        services.client_issue_report(link=link, title="Broken")
    assert snapshot() == before


def test_the_client_answers_the_pulse_and_a_low_mood_alerts(link, rep, manager):
    pulse = services.client_pulse_answer(link=link, mood=1, urgency=5, satisfaction=2, note="Too slow")
    assert (pulse.recorded_by, pulse.given_by_contact) == (None, link.contact)
    assert pulse.recorded_by_name == "Jane Doe (client, through the link)"
    alerted = Notification.objects.filter(event=Event.LOW_PULSE, channel=Channel.IN_APP)
    assert set(alerted.values_list("recipient", flat=True)) == {rep.pk, manager.pk}
    assert Activity.objects.get(verb="pulse_answered").actor_label == "Jane Doe (client, through the link)"


@pytest.mark.parametrize(
    "scores", [{"mood": 0}, {"mood": 6}, {"urgency": "x"}, {"satisfaction": None}, {"mood": 2.5}, {"urgency": True}]
)
def test_it_refuses_pulse_values_outside_1_to_5(link, scores):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.client_pulse_answer(link=link, **{"mood": 3, "urgency": 3, "satisfaction": 3, **scores})
    assert set(error.value.message_dict) == set(scores)
    assert snapshot() == before


def test_the_client_reports_an_issue_through_the_client_channel(link, project, pm, rep):
    issue = services.client_issue_report(link=link, title="Login fails", description="Since Monday", severity="high")
    assert (issue.project, issue.client, issue.reported_through) == (project, project.client, ReportedThrough.CLIENT)
    assert (issue.created_by, issue.reported_by_contact) == (None, link.contact)
    assert issue.created_by_name == "Jane Doe (client, through the link)"
    told = Notification.objects.filter(event=Event.ISSUE_CREATED, channel=Channel.IN_APP)
    assert {pm.pk, rep.pk} <= set(told.values_list("recipient", flat=True))


@pytest.mark.parametrize("title", ["", "   ", "x" * 100_000, None])
def test_it_refuses_an_issue_without_a_title_or_with_a_huge_one(link, title):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.client_issue_report(link=link, title=title)
    assert "title" in error.value.message_dict
    assert snapshot() == before


def test_it_refuses_an_unknown_severity(link):
    with pytest.raises(ValidationError):
        services.client_issue_report(link=link, title="Broken", severity="apocalyptic")
    assert not ClientIssue.objects.exists()


def test_a_link_of_a_deactivated_creator_keeps_working(issued, pm):
    # The link is the project's, not the person's: the PM leaving does not lock the client out.
    pm.is_active = False
    pm.save()
    assert services.client_link_resolve(issued[1]) == issued[0]


def test_the_portal_data_shows_only_the_clients_issues(link, project, rep):
    from projects.services.issues import issue_create

    issue_create(
        actor=rep, client=project.client, data={"title": "Internal", "project": project.pk, "reported_through": "sales"}
    )
    services.client_issue_report(link=link, title="Theirs")
    data = services.client_portal_data(link)
    assert [issue.title for issue in data["issues"]] == ["Theirs"]


# --- The staff API --------------------------------------------------------------------------------
LINKS = "/api/v1/client-links/"


def test_the_pm_creates_a_link_through_the_api_and_sees_the_token_once(api_as, pm, project, contact):
    api = api_as(pm)
    response = api.post(LINKS, {"project": project.pk, "contact": contact.pk, "expires_in_days": 7}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["url"].endswith(f"/c/{body['token']}/") and body["state"] == "active"
    assert services.client_link_resolve(body["token"]).pk == body["id"]
    listed = api.get(LINKS, {"project": project.pk}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "token" not in listed[0] and "url" not in listed[0] and "token_hash" not in listed[0]
    assert "token" not in api.get(f"{LINKS}{body['id']}/").json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"contact": "x"}, "contact"),
    ],
)
def test_the_api_refuses_bad_input(api_as, pm, project, contact, payload, field):
    response = api_as(pm).post(LINKS, {"project": project.pk, "contact": contact.pk, **payload}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not ClientLink.objects.exists()


def test_the_api_refuses_a_contact_of_another_client(api_as, pm, project):
    stranger = ContactFactory()
    response = api_as(pm).post(LINKS, {"project": project.pk, "contact": stranger.pk}, format="json")
    assert response.status_code == 400 and "contact" in response.json()
    assert not ClientLink.objects.exists()


def test_the_api_refuses_a_rep_who_is_not_the_liaison(api_as, other_rep, project, contact):
    response = api_as(other_rep).post(LINKS, {"project": project.pk, "contact": contact.pk}, format="json")
    assert response.status_code == 403
    assert not ClientLink.objects.exists()


def test_the_api_revokes_once(api_as, pm, link):
    api = api_as(pm)
    first = api.post(f"{LINKS}{link.pk}/revoke/")
    assert first.status_code == 200 and first.json()["state"] == "revoked"
    second = api.post(f"{LINKS}{link.pk}/revoke/")
    assert second.status_code == 409 and second.json()["code"] == "illegal_transition"


def test_others_do_not_see_or_revoke_the_link(api_as, other_pm, link):
    api = api_as(other_pm)
    assert api.get(LINKS).json()["count"] == 0
    assert api.post(f"{LINKS}{link.pk}/revoke/").status_code == 404
    assert ClientLink.objects.get().revoked_at is None


def test_the_list_reads_a_fixed_number_of_queries(api_as, manager, project, contact, pm, django_assert_num_queries):
    for _ in range(3):
        services.client_link_issue(actor=pm, project=project, contact=contact)
    api = api_as(manager)
    # session, user (with roles), count, rows (project, client, contact and people joined)
    with django_assert_num_queries(4):
        assert api.get(LINKS).json()["count"] == 3


# --- The staff pages ------------------------------------------------------------------------------
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_project_page_loads_the_panel(client_as, pm, project):
    page = client_as(pm).get(project.get_absolute_url()).content.decode()
    assert f'hx-get="/projects/{project.pk}/client-links/"' in page


def test_the_pm_issues_a_link_in_the_panel_and_sees_it_once(client_as, pm, project, contact):
    browser = client_as(pm)
    url = f"/projects/{project.pk}/client-links/"
    response = browser.post(url, {"contact": contact.pk, "expires_in_days": 14}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="client-link-url"' in html and "/c/" in html
    again = browser.get(url, **HTMX).content.decode()
    assert "client-link-url" not in again and "Jane Doe" in again


def test_the_panel_refuses_bad_days_and_a_rep_who_is_not_the_liaison(client_as, pm, other_rep, project, contact):
    url = f"/projects/{project.pk}/client-links/"
    bad = client_as(pm).post(url, {"contact": contact.pk, "expires_in_days": 120}, **HTMX)
    assert bad.status_code == 200 and "field--error" in bad.content.decode()
    assert client_as(other_rep).post(url, {"contact": contact.pk, "expires_in_days": 5}, **HTMX).status_code == 403
    assert not ClientLink.objects.exists()


def test_without_htmx_the_link_is_shown_on_its_own_page(client_as, pm, project, contact):
    response = client_as(pm).post(
        f"/projects/{project.pk}/client-links/", {"contact": contact.pk, "expires_in_days": 5}
    )
    assert response.status_code == 200 and "client-link-url" in response.content.decode()


def test_the_panel_revokes_and_refuses_a_second_time(client_as, pm, link):
    browser = client_as(pm)
    url = f"/projects/client-links/{link.pk}/revoke/"
    assert browser.post(url, **HTMX).status_code == 200
    assert ClientLink.objects.get().revoked_at is not None
    second = browser.post(url, **HTMX)
    assert "already revoked" in second.content.decode()


def test_managers_see_every_link_with_its_state(
    client_as, manager, link, pm, project, contact, django_assert_num_queries
):
    expired, _ = services.client_link_issue(actor=pm, project=project, contact=contact)
    ClientLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    browser = client_as(manager)
    page = browser.get("/projects/client-links/").content.decode()
    assert "Active" in page and "Expired" in page
    assert browser.get("/projects/client-links/?state=expired").content.decode().count("badge--expired") == 1
    with django_assert_num_queries(4):  # session, user (with roles), count, rows (everything joined)
        browser.get("/projects/client-links/")

"""The dashboard page, its htmx fragment, the CSV downloads and the risk list behind the heatmap."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.metrics.figures import TABLE_NAMES
from dashboards.models import DashboardSnapshot
from dashboards.selectors import recent_snapshots
from dashboards.views import rendered_bodies
from handoff.models import OfferStatus
from tests.dashboards.world import build_world, log_return, make_handoff, make_offer, make_project, make_review
from tests.factories import ClientFactory, RiskFactory

URL = "/dashboard/"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def pipeline(rep, other_rep):
    """An open offer for each rep, with different values."""
    mine = make_offer(
        client=ClientFactory(account_owner=rep, name="Acme Tools"),
        owner=rep,
        status=OfferStatus.SENT,
        value=Decimal("11111.00"),
        title="Mine",
    )
    theirs = make_offer(
        client=ClientFactory(account_owner=other_rep, name="Bolt Works"),
        owner=other_rep,
        status=OfferStatus.DRAFT,
        value=Decimal("22222.00"),
        probability=30,
        title="Theirs",
    )
    return mine, theirs


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- Who sees what ----------------------------------------------------------------------------
def test_it_shows_a_manager_the_whole_company(client_as, manager, pipeline):
    response = client_as(manager).get(URL)

    assert response.status_code == 200
    assert "11,111.00" in response.text and "22,222.00" in response.text
    assert "<h1>Dashboard</h1>" in response.text


def test_it_shows_a_rep_only_their_own_figures(client_as, rep, pipeline):
    response = client_as(rep).get(URL)

    assert response.status_code == 200
    assert "My sales dashboard" in response.text
    assert "11,111.00" in response.text
    assert "22,222.00" not in response.text


def test_it_ignores_a_rep_asking_for_another_reps_figures(client_as, rep, other_rep, pipeline):
    response = client_as(rep).get(URL, {"rep": other_rep.pk})

    assert "11,111.00" in response.text
    assert "22,222.00" not in response.text


def test_it_shows_a_pm_the_handoffs_assigned_to_them(client_as, rep, pm, other_pm):
    client = ClientFactory(account_owner=rep)
    mine = make_handoff(offer=make_offer(client=client, owner=rep, status=OfferStatus.WON, title="For Paula"), pm=pm)
    make_handoff(offer=make_offer(client=client, owner=rep, status=OfferStatus.WON, title="For Peter"), pm=other_pm)

    response = client_as(pm).get(URL)

    assert response.status_code == 200
    assert "My projects dashboard" in response.text
    assert f"/handoffs/{mine.pk}/" in response.text and "For Peter" not in response.text


def test_it_lets_someone_with_both_roles_switch_between_their_dashboards(client_as, rep):
    rep.groups.add(Group.objects.get(name="pm"))
    rep.__dict__.pop("roles", None)

    response = client_as(rep).get(URL, {"view": "pm"})

    assert "My projects dashboard" in response.text
    assert "?view=sales" in response.text


def test_it_refuses_the_dashboard_to_a_user_without_a_role(client_as, outsider):
    assert client_as(outsider).get(URL).status_code == 403


@pytest.mark.parametrize("path", [URL, "/dashboard/risks/?p=1&i=1", "/dashboard/export/pipeline_by_rep.csv"])
def test_it_refuses_every_dashboard_page_to_a_user_without_a_role(client_as, outsider, path):
    assert client_as(outsider).get(path).status_code == 403


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_links_the_dashboard_in_the_navigation_for_every_role(client_as, rep, pm, manager):
    for user in (rep, pm, manager):
        assert 'href="/dashboard/"' in client_as(user).get("/").text


# --- Filters ----------------------------------------------------------------------------------
def test_it_filters_by_rep(client_as, manager, rep, pipeline):
    response = client_as(manager).get(URL, {"rep": rep.pk})

    assert "11,111.00" in response.text and "22,222.00" not in response.text


def test_it_filters_by_client_name(client_as, manager, pipeline):
    response = client_as(manager).get(URL, {"client_name": "bolt works"})

    assert "22,222.00" in response.text and "11,111.00" not in response.text
    assert 'value="Bolt Works"' in response.text


def test_it_filters_by_period(client_as, manager, rep):
    now = timezone.now()
    client = ClientFactory(account_owner=rep)
    make_offer(client=client, owner=rep, status=OfferStatus.WON, value=Decimal("333.00"), closed_at=now)

    inside = client_as(manager).get(URL, {"start": timezone.localdate().isoformat()})
    before = client_as(manager).get(URL, {"start": "2020-01-01", "end": "2020-12-31"})

    assert inside.status_code == before.status_code == 200
    assert "333.00" in inside.text and "333.00" not in before.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01"}, "Enter a valid date"),
        ({"start": "2026-05-01", "end": "2026-01-01"}, "must not be before its start"),
        ({"start": "2001-01-01", "end": "2026-01-01"}, "at most five years"),
        ({"rep": "999999"}, "No such sales rep"),
        ({"client_name": "Nobody Ltd"}, "No client is called"),
        ({"pm": "abc"}, "Enter a whole number"),
    ],
)
def test_it_refuses_bad_filters_with_a_clear_message(client_as, manager, params, message):
    response = client_as(manager).get(URL, params)

    assert response.status_code == 400
    assert message in response.text
    assert not DashboardSnapshot.objects.exists()


def test_it_answers_bad_filters_in_an_htmx_request_with_the_errors_in_the_fragment(client_as, manager):
    response = client_as(manager).get(URL, {"end": "x"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Enter a valid date" in response.text and "<html" not in response.text


def test_it_answers_an_htmx_request_with_the_figures_only(client_as, manager, pipeline):
    response = client_as(manager).get(URL, {"rep": pipeline[0].owner_id}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text and "11,111.00" in response.text
    assert "HX-Request" in response["Vary"]


def test_it_updates_the_page_with_htmx_and_pushes_the_url(client_as, manager):
    text = client_as(manager).get(URL).text

    assert 'hx-get="/dashboard/"' in text and 'hx-target="#dashboard"' in text and 'hx-push-url="true"' in text


def test_it_shows_when_the_figures_were_computed(client_as, manager):
    text = client_as(manager).get(URL).text
    as_of = DashboardSnapshot.objects.get(key="").data["as_of"]

    assert f'<time datetime="{as_of}">' in text and "As of" in text


def test_it_uses_no_inline_script_or_style(client_as, manager):
    build_world(3, offers=30)

    text = client_as(manager).get(URL).text

    assert "style=" not in text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
    assert "<svg" in text and 'class="heatmap"' in text


def test_it_shows_the_empty_states(client_as, manager):
    text = client_as(manager).get(URL).text

    assert "No handoff is waiting for a PM." in text
    assert "No deliverable is overdue." in text
    assert "No change request is waiting for a decision." in text
    assert "Not available yet" not in text


# --- CSV ------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", TABLE_NAMES)
def test_it_downloads_every_table_as_csv_with_the_rows_of_the_page(client_as, manager, table):
    world = build_world(4, offers=40)
    user = client_as(manager)
    params = {"rep": world["reps"][0].pk}
    user.get(URL, params)
    page_table = DashboardSnapshot.objects.get(key=f"rep={world['reps'][0].pk}").data["tables"][table]

    response = user.get(f"/dashboard/export/{table}.csv", params)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    keys = [key for key, _label in page_table["columns"]]
    # Money columns name the currency in their header ("Won value (EUR)"); their cells are plain decimals.
    assert [header.removesuffix(f" ({settings.CURRENCY})") for header in rows[0]] == [
        label for _key, label in page_table["columns"]
    ]
    assert len(rows) - 1 == page_table["total"]
    shown = [["" if row[key] is None else str(row[key]) for key in keys] for row in page_table["rows"]]
    assert rows[1 : 1 + len(shown)] == shown


def test_it_downloads_a_reps_own_rows_only(client_as, rep, pipeline):
    rows = csv_rows(client_as(rep).get("/dashboard/export/pipeline_by_rep.csv"))

    assert [row[0] for row in rows[1:]] == ["Rita Rep"]


def test_it_keeps_spreadsheet_formulas_out_of_the_csv(client_as, manager, rep, pm):
    now = timezone.now()
    offer = make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.WON, closed_at=now)
    log_return(make_handoff(offer=offer, pm=pm, return_count=1), '=HYPERLINK("http://x")', now)

    rows = csv_rows(client_as(manager).get("/dashboard/export/return_reasons.csv"))

    assert rows[1][0].startswith("'=")


def test_it_answers_404_for_an_unknown_table(client_as, manager):
    assert client_as(manager).get("/dashboard/export/passwords.csv").status_code == 404


def test_it_refuses_a_csv_with_bad_filters(client_as, manager):
    response = client_as(manager).get("/dashboard/export/pipeline_by_rep.csv", {"start": "nope"})

    assert response.status_code == 400
    assert "Enter a valid date" in response.text


# --- Risk list --------------------------------------------------------------------------------
def test_it_links_each_heatmap_cell_to_its_risks(client_as, manager, rep):
    offer = make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.SENT, title="Risky one")
    RiskFactory(offer=offer, title="Nobody knows the API", probability=4, impact=5)
    RiskFactory(offer=offer, title="Somewhere else", probability=1, impact=1)
    user = client_as(manager)

    assert "/dashboard/risks/?p=4&amp;i=5" in user.get(URL).text
    response = user.get("/dashboard/risks/", {"p": 4, "i": 5})

    assert response.status_code == 200
    assert "Nobody knows the API" in response.text and "Somewhere else" not in response.text
    assert f"/offers/{offer.pk}/" in response.text


def test_it_lists_a_cells_risks_with_the_dashboard_filters(client_as, manager, rep, other_rep):
    for owner, title in ((rep, "Rita's risk"), (other_rep, "Otto's risk")):
        offer = make_offer(client=ClientFactory(account_owner=owner), owner=owner, status=OfferStatus.DRAFT)
        RiskFactory(offer=offer, title=title, probability=3, impact=3)

    text = client_as(manager).get("/dashboard/risks/", {"p": 3, "i": 3, "rep": rep.pk}).text

    assert "Rita&#x27;s risk" in text and "Otto" not in text


@pytest.mark.parametrize("params", [{}, {"p": 0, "i": 3}, {"p": 6, "i": 1}, {"p": "x", "i": "y"}])
def test_it_refuses_a_risk_list_without_a_valid_cell(client_as, manager, params):
    response = client_as(manager).get("/dashboard/risks/", params)

    assert response.status_code == 400
    assert "Choose a cell of the heatmap" in response.text


def test_it_pages_a_long_risk_list(client_as, manager, rep):
    offer = make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.SENT)
    for number in range(55):
        RiskFactory(offer=offer, title=f"Risk number {number}", probability=2, impact=2)

    first = client_as(manager).get("/dashboard/risks/", {"p": 2, "i": 2})
    second = client_as(manager).get("/dashboard/risks/", {"p": 2, "i": 2, "page": 2})

    assert first.text.count("Risk number") == 50 and second.text.count("Risk number") == 5
    assert "Page 1 of 2" in first.text


# --- Queries ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["manager", "rep"])
def test_it_serves_the_page_in_the_same_queries_for_one_and_fifty_offers(request, client_as, who):
    user = request.getfixturevalue(who)
    browser = client_as(user)

    def count() -> int:
        recent_snapshots.clear()
        rendered_bodies.clear()
        browser.get(URL)  # computes the snapshot
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(URL).status_code == 200
        return len(queries)

    seller = request.getfixturevalue("rep")
    make_offer(client=ClientFactory(account_owner=seller), owner=seller)
    few = count()
    DashboardSnapshot.objects.all().delete()
    build_world(5, offers=50)
    many = count()

    assert few == many


def test_it_reads_no_figures_from_the_database_on_a_warm_page_view(client_as, manager, django_assert_num_queries):
    user = client_as(manager)
    user.get(URL)

    # session and user (with roles and the inbox badge's count): nothing for the figures themselves.
    with django_assert_num_queries(2):
        user.get(URL)


def test_it_lists_a_cells_risks_in_the_same_queries_for_one_and_fifty(client_as, manager, rep):
    user = client_as(manager)
    offer = make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.SENT)

    def count() -> int:
        user.get("/dashboard/risks/", {"p": 2, "i": 3})
        with CaptureQueriesContext(connection) as queries:
            assert user.get("/dashboard/risks/", {"p": 2, "i": 3}).status_code == 200
        return len(queries)

    RiskFactory(offer=offer, probability=2, impact=3)
    few = count()
    for _ in range(49):
        RiskFactory(offer=make_offer(client=offer.client, owner=rep, status=OfferStatus.DRAFT), probability=2, impact=3)
    many = count()

    assert few == many


def test_it_downloads_a_csv_in_the_same_queries_for_one_and_fifty_offers(client_as, manager, rep):
    user = client_as(manager)

    def count() -> int:
        recent_snapshots.clear()
        DashboardSnapshot.objects.all().delete()
        user.get("/dashboard/export/pipeline_by_client.csv")  # computes the snapshot
        with CaptureQueriesContext(connection) as queries:
            assert user.get("/dashboard/export/pipeline_by_client.csv").status_code == 200
        return len(queries)

    make_offer(client=ClientFactory(account_owner=rep), owner=rep)
    few = count()
    build_world(6, offers=50)
    many = count()

    assert few == many


# --- Project risks: open ones only (SPEC §7.3) ---------------------------------------------------------
def test_it_counts_and_lists_open_project_risks_only(api_as, client_as, manager, rep, pm):
    from projects.services.risks import project_risk_add, project_risk_set_status
    from tests.projects.factories import accepted_project

    project = accepted_project(owner=rep, pm=pm)
    for status, reason in (("mitigated", ""), ("occurred", "It happened."), ("closed", "Gone.")):
        risk = project_risk_add(project=project, actor=pm, title=f"A {status} risk", probability=5, impact=5)
        project_risk_set_status(risk=risk, actor=pm, status=status, reason=reason)
    project_risk_add(project=project, actor=pm, title="The open risk", probability=5, impact=5)
    mitigated = project.risks.get(title="Legacy interfaces undocumented")
    project_risk_set_status(risk=mitigated, actor=pm, status="mitigated")

    risks = api_as(manager).get("/api/v1/dashboard/").json()["sections"]["risks"]
    cell = client_as(manager).get("/dashboard/risks/", {"p": 5, "i": 5}).text

    # Open: "Key user on parental leave" (2 x 2) and "The open risk" (5 x 5).
    assert risks["on_projects"] == 2
    assert risks["grid"][0][4]["project_risks"] == 1  # impact 5, probability 5
    assert "The open risk" in cell
    assert not any(f"A {status} risk" in cell for status in ("mitigated", "occurred", "closed"))


def test_it_lists_completed_projects_whose_actual_effort_is_missing(client_as, manager, rep, pm):
    now = timezone.now()
    offer = make_offer(
        client=ClientFactory(account_owner=rep, name="Acme Tools"),
        owner=rep,
        status=OfferStatus.WON,
        closed_at=now - 40 * DAY,
        title="Intranet refresh",
    )
    make_review(offer=offer, reviewer=pm, effort_days=Decimal("110.0"), completed_at=now - 50 * DAY)
    handoff = make_handoff(offer=offer, pm=pm, status="accepted", accepted_at=now - 39 * DAY)
    project = make_project(handoff=handoff, status="completed", completed_at=now - DAY)

    page = client_as(manager).get(URL).text
    rows = csv_rows(client_as(manager).get("/dashboard/export/effort_missing.csv"))

    missing = page[page.index('data-testid="effort-missing"') :]
    assert f'href="{project.get_absolute_url()}"' in missing
    assert "Intranet refresh" in missing
    # Not "110 d estimated, 0.0 d actual, overrun -100 %".
    assert "Overall: 0 projects" in page
    assert rows == [
        ["Project", "Client", "PM", "Completed", "Estimated days"],
        [
            "Intranet refresh",
            "Acme Tools",
            pm.full_name,
            timezone.localdate(project.completed_at).isoformat(),
            "110.0",
        ],
    ]

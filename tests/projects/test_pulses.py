"""The client pulse: logged by the project's team, 1-5 scores, low mood alerts, the trend on project and client pages."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Activity
from notifications.events import Event
from notifications.models import Channel, Notification
from projects.models import ClientPulse
from projects.services.pulses import pulse_record
from projects.views.pulses import pulse_chart
from tests.factories import UserFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
API_LIST_QUERIES = 4  # session, user, count, rows (with project, client and author joined)


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


def record(project, actor, mood=4, urgency=3, satisfaction=4, note=""):
    return pulse_record(project=project, actor=actor, mood=mood, urgency=urgency, satisfaction=satisfaction, note=note)


def alerted(event=Event.LOW_PULSE) -> set[str]:
    return set(
        Notification.objects.filter(event=event, channel=Channel.IN_APP).values_list("recipient__username", flat=True)
    )


def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def section(project) -> str:
    """The project page's pulse section, loaded after the page with hx-get."""
    return reverse("projects:pulse_section", args=[project.pk])


def count_queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


# --- Service ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["pm", "rep", "manager"])
def test_it_lets_the_pm_the_sales_liaison_and_managers_log_a_pulse(persona, request, project):
    actor = request.getfixturevalue(persona)

    pulse = record(project, actor, mood=4, urgency=2, satisfaction=5, note="  Happy with the demo.  ")

    pulse.refresh_from_db()
    assert (pulse.mood, pulse.urgency, pulse.satisfaction, pulse.note) == (4, 2, 5, "Happy with the demo.")
    assert pulse.recorded_by == actor


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_it_refuses_a_pulse_from_anyone_else(persona, request, project):
    with pytest.raises(PermissionDenied):
        record(project, request.getfixturevalue(persona))

    assert not ClientPulse.objects.exists()


def test_it_refuses_the_liaison_who_no_longer_holds_the_sales_role(project, rep):
    rep.groups.clear()
    rep.__dict__.pop("roles", None)

    with pytest.raises(PermissionDenied):
        record(project, rep)


@pytest.mark.parametrize("bad", [0, 6, -1, "x", "", None, 3.5, "3.5", True, "99999999"])
def test_it_refuses_a_mood_outside_one_to_five_and_changes_nothing(bad, project, pm):
    activities = Activity.objects.count()

    with pytest.raises(ValidationError) as error:
        record(project, pm, mood=bad)

    assert set(error.value.message_dict) == {"mood"}
    assert "1" in error.value.message_dict["mood"][0] and "5" in error.value.message_dict["mood"][0]
    assert not ClientPulse.objects.exists()
    assert Activity.objects.count() == activities
    assert not Notification.objects.filter(event=Event.LOW_PULSE).exists()


def test_it_names_every_bad_field_at_once(project, pm):
    with pytest.raises(ValidationError) as error:
        record(project, pm, mood=0, urgency=6, satisfaction="x", note="n" * 2001)

    assert set(error.value.message_dict) == {"mood", "urgency", "satisfaction", "note"}
    assert not ClientPulse.objects.exists()


def test_it_accepts_the_scores_as_text_from_a_form(project, pm):
    pulse = record(project, pm, mood="1", urgency=" 5 ", satisfaction="3")

    assert (pulse.mood, pulse.urgency, pulse.satisfaction) == (1, 5, 3)


def test_a_low_mood_alerts_the_sales_liaison_and_every_manager_but_not_the_actor(project, pm, rep, manager):
    UserFactory(username="manager2", roles=["manager"])
    UserFactory(username="retired_manager", roles=["manager"], is_active=False)

    record(project, pm, mood=2, note="Angry about the invoices.")

    assert alerted() == {"rep", "manager", "manager2"}
    notice = Notification.objects.filter(event=Event.LOW_PULSE, recipient=rep, channel=Channel.IN_APP).get()
    assert "2/5" in notice.title
    assert "Angry about the invoices." in notice.body
    assert notice.url == detail(project) + "#pulse"
    assert Notification.objects.filter(event=Event.LOW_PULSE, channel=Channel.EMAIL).count() == 3


def test_a_low_mood_logged_by_a_manager_alerts_the_liaison_and_the_other_managers(project, manager):
    UserFactory(username="manager2", roles=["manager"])

    record(project, manager, mood=1)

    assert alerted() == {"rep", "manager2"}


def test_a_low_mood_logged_by_the_liaison_alerts_the_managers(project, rep, manager):
    record(project, rep, mood=2)

    assert alerted() == {"manager"}


@pytest.mark.parametrize("mood", [3, 4, 5])
def test_a_mood_above_two_alerts_nobody(mood, project, pm, manager):
    record(project, pm, mood=mood)

    assert alerted() == set()


def test_it_writes_the_activity_log(project, pm):
    record(project, pm, mood=3, urgency=4, satisfaction=2, note="Needs attention.")

    activity = Activity.objects.get(verb="pulse_recorded")
    assert activity.actor == pm
    assert activity.target_id == project.pk
    assert "mood 3/5, urgency 4/5, satisfaction 2/5" in activity.message
    assert "Needs attention." in activity.message


# --- The chart -------------------------------------------------------------------------------------
def test_the_chart_runs_oldest_to_newest_on_a_one_to_five_scale(project, pm):
    for mood in (5, 3, 1):
        record(project, pm, mood=mood)
    pulses = list(ClientPulse.objects.order_by("recorded_at", "id"))

    chart = pulse_chart(pulses)

    ys = [dot["y"] for dot in chart["dots"]]
    assert ys[0] < ys[1] < ys[2]  # SVG y grows downwards: mood 5 sits highest
    assert [dot["low"] for dot in chart["dots"]] == [False, False, True]
    assert chart["dots"][0]["x"] < chart["dots"][-1]["x"]
    assert pulse_chart([]) is None


# --- Project page ------------------------------------------------------------------------------------
def test_the_project_page_loads_the_pulse_after_it(client_as, project, rep):
    page = client_as(rep).get(detail(project)).content.decode()

    assert f'hx-get="{section(project)}" hx-trigger="load"' in page
    assert 'id="pulse"' in page  # where the client page's links and the redirects point


def test_the_pulse_section_shows_the_form_to_the_team(client_as, project, rep):
    page = client_as(rep).get(section(project), **HTMX).content.decode()

    assert 'data-testid="pulse-form"' in page
    assert "No pulse logged yet" in page


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_the_pulse_section_shows_others_the_trend_without_the_form(persona, request, client_as, project, pm):
    record(project, pm, mood=4)

    page = client_as(request.getfixturevalue(persona)).get(section(project), **HTMX).content.decode()

    assert 'data-testid="pulse-chart"' in page
    assert 'data-testid="pulse-form"' not in page


def test_the_team_logs_a_pulse_inline_with_htmx(client_as, project, rep, manager):
    response = client_as(rep).post(
        reverse("projects:pulse_record", args=[project.pk]),
        {"mood": "2", "urgency": "5", "satisfaction": "2", "note": "Escalation call tomorrow."},
        **HTMX,
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="pulse"' in content
    assert "<svg" in content
    assert "Low mood" in content
    assert 'hx-swap-oob="true"' in content  # the messages
    assert ClientPulse.objects.get().mood == 2
    assert alerted() == {"manager"}


@pytest.mark.parametrize("bad", ["0", "6", "x", ""])
def test_a_bad_pulse_is_an_inline_error_and_changes_nothing(bad, client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:pulse_record", args=[project.pk]),
        {"mood": bad, "urgency": "3", "satisfaction": "3"},
        **HTMX,
    )

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert "from 1" in response.content.decode()
    assert not ClientPulse.objects.exists()


def test_a_plain_post_redirects_to_the_pulse_section(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:pulse_record", args=[project.pk]), {"mood": "4", "urgency": "2", "satisfaction": "4"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#pulse")
    assert ClientPulse.objects.count() == 1


def test_a_bad_plain_post_redirects_with_the_error_and_changes_nothing(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:pulse_record", args=[project.pk]),
        {"mood": "9", "urgency": "2", "satisfaction": "4"},
        follow=True,
    )

    assert "The pulse was not logged" in response.content.decode()
    assert not ClientPulse.objects.exists()


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_others_get_403_and_nothing_changes(persona, request, client_as, project):
    response = client_as(request.getfixturevalue(persona)).post(
        reverse("projects:pulse_record", args=[project.pk]), {"mood": "3", "urgency": "3", "satisfaction": "3"}, **HTMX
    )

    assert response.status_code == 403
    assert not ClientPulse.objects.exists()


def test_a_missing_project_is_404(client_as, pm):
    response = client_as(pm).post(reverse("projects:pulse_record", args=[999999]), {"mood": "3"})

    assert response.status_code == 404


def test_the_get_method_is_refused(client_as, project, pm):
    assert client_as(pm).get(reverse("projects:pulse_record", args=[project.pk])).status_code == 405


def test_the_chart_needs_no_inline_style_or_script(client_as, project, pm):
    for mood in (4, 2, 5):
        record(project, pm, mood=mood, note='<script>alert("x")</script>')

    page = client_as(pm).get(section(project), **HTMX).content.decode()

    pulse = page[page.index('id="pulse"') : page.index("</section>", page.index('id="pulse"'))]
    assert "<svg" in pulse
    assert "style=" not in pulse
    assert "<script" not in pulse
    assert "&lt;script&gt;" in pulse


def test_the_pulse_section_queries_do_not_grow_with_pulses(client_as, project, pm, rep):
    client = client_as(pm)
    record(project, pm)
    before = count_queries(client, section(project), **HTMX)
    for mood in (1, 2, 3, 4, 5) * 6:
        record(project, rep, mood=mood)

    assert count_queries(client, section(project), **HTMX) == before == 4  # session, user, project, pulses


# --- Client page -------------------------------------------------------------------------------------
def test_the_client_page_shows_the_pulse_trend_of_all_its_projects(client_as, project, rep, pm, other_rep):
    second = accepted_project(owner=rep, pm=pm, title="Phase 2", with_contacts=False)
    second.client = project.client
    second.save(update_fields=["client"])
    record(project, pm, mood=4)
    record(second, pm, mood=2, note="Unhappy with phase 2")

    page = client_as(other_rep).get(reverse("projects:client_pulse_panel", args=[project.client_id]), **HTMX)
    page = page.content.decode()

    assert 'data-testid="client-pulse-chart"' in page
    section = page[page.index('id="client-pulse"') :]
    assert project.name in section and "Phase 2" in section
    assert len(re.findall(r"<circle ", section)) == 2
    assert "Low mood" in section


def test_the_client_page_has_an_empty_pulse_state(client_as, project, rep):
    page = client_as(rep).get(reverse("projects:client_pulse_panel", args=[project.client_id]), **HTMX)
    page = page.content.decode()

    assert "No pulse logged yet" in page


def test_the_client_pulse_panel_queries_do_not_grow_with_pulses(client_as, project, pm):
    client = client_as(pm)
    url = reverse("projects:client_pulse_panel", args=[project.client_id])
    record(project, pm)
    before = count_queries(client, url)
    for mood in (1, 3, 5) * 5:
        record(project, pm, mood=mood)

    assert count_queries(client, url) == before


# --- API ---------------------------------------------------------------------------------------------
def test_the_api_lists_pulses_filtered_by_project_client_and_low_mood(api_as, project, rep, pm, outsider):
    other = accepted_project(owner=rep, pm=pm, title="Other", with_contacts=False)
    record(project, pm, mood=2)
    record(project, pm, mood=4)
    record(other, pm, mood=5)
    client = api_as(outsider)

    assert client.get("/api/v1/pulses/").json()["count"] == 3
    assert client.get(f"/api/v1/pulses/?project={project.pk}").json()["count"] == 2
    assert client.get(f"/api/v1/pulses/?client={other.client_id}").json()["count"] == 1
    low = client.get("/api/v1/pulses/?low=true").json()["results"]
    assert [row["mood"] for row in low] == [2]
    assert low[0]["is_low"] is True
    assert low[0]["client"] == project.client_id


def test_the_api_list_query_count_is_pinned_and_does_not_grow(api_as, project, pm, django_assert_num_queries):
    client = api_as(pm)
    record(project, pm)
    with django_assert_num_queries(API_LIST_QUERIES):
        client.get("/api/v1/pulses/")
    for mood in (1, 2, 3, 4, 5) * 4:
        record(project, pm, mood=mood)

    with django_assert_num_queries(API_LIST_QUERIES):
        assert client.get("/api/v1/pulses/").json()["count"] == 21


def test_the_api_logs_a_pulse_and_alerts_on_low_mood(api_as, project, pm, manager):
    response = api_as(pm).post(
        "/api/v1/pulses/",
        {"project": project.pk, "mood": 1, "urgency": 5, "satisfaction": 1, "note": "Threatening to cancel."},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["mood"], body["is_low"], body["recorded_by"]) == (1, True, pm.pk)
    assert alerted() == {"rep", "manager"}


@pytest.mark.parametrize("bad", [0, 6, "x", 2.5, None, True])
def test_the_api_answers_400_to_a_score_outside_one_to_five_and_changes_nothing(bad, api_as, project, pm):
    response = api_as(pm).post(
        "/api/v1/pulses/", {"project": project.pk, "mood": bad, "urgency": 3, "satisfaction": 3}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["mood"]
    assert not ClientPulse.objects.exists()


def test_the_api_answers_400_to_missing_fields(api_as, project, pm):
    response = api_as(pm).post("/api/v1/pulses/", {"project": project.pk}, format="json")

    assert response.status_code == 400
    assert {"mood", "urgency", "satisfaction"} <= set(response.json())


@pytest.mark.parametrize("persona", ["other_rep", "other_pm", "outsider"])
def test_the_api_answers_403_to_others(persona, request, api_as, project):
    response = api_as(request.getfixturevalue(persona)).post(
        "/api/v1/pulses/", {"project": project.pk, "mood": 3, "urgency": 3, "satisfaction": 3}, format="json"
    )

    assert response.status_code == 403
    assert not ClientPulse.objects.exists()


def test_the_api_answers_400_to_an_unknown_project(api_as, pm):
    response = api_as(pm).post(
        "/api/v1/pulses/", {"project": 999999, "mood": 3, "urgency": 3, "satisfaction": 3}, format="json"
    )

    assert response.status_code == 400
    assert "project" in response.json()


def test_the_api_refuses_anonymous(api, project):
    assert api.get("/api/v1/pulses/").status_code in (401, 403)
    assert api.get(f"/api/v1/pulses/{999999}/").status_code in (401, 403)

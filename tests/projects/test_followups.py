"""Follow-up opportunities (SPEC §3): raised on a project, converted into a draft offer or dismissed by the account owner."""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.errors import TransitionNotAllowed
from core.models import Activity
from handoff.models import Offer, OfferStatus
from notifications.events import Event
from notifications.models import Notification
from projects.models import FollowUp, FollowUpStatus
from projects.services.followups import follow_up_convert, follow_up_dismiss, follow_up_raise
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ALLOWED_TO_RAISE = ["pm", "rep", "manager"]
REFUSED_TO_RAISE = ["other_rep", "other_pm", "outsider"]
# The account owner (rep) alone converts and dismisses.
REFUSED_TO_DECIDE = ["pm", "manager", "other_rep", "other_pm", "outsider"]
# session, user, count, rows (with project, client, people and offer joined)
API_LIST_QUERIES = 4


@pytest.fixture
def project(rep, pm):
    """Sold by ``rep``, who is the sales liaison and the client's account owner; run by ``pm``."""
    return accepted_project(owner=rep, pm=pm)


def raise_one(project, actor, **overrides):
    data = {
        "title": "Second plant roll-out",
        "description": "The plant manager wants the same system in Linz next year.",
        "estimated_value": Decimal("30000.00"),
        **overrides,
    }
    return follow_up_raise(project=project, actor=actor, **data)


@pytest.fixture
def follow_up(project, pm):
    return raise_one(project, pm)


def follow_up_notifications():
    return list(Notification.objects.filter(event=Event.FOLLOW_UP_RAISED, channel="in_app"))


def unchanged(follow_up: FollowUp) -> bool:
    current = FollowUp.objects.get(pk=follow_up.pk)
    return (current.status, current.offer_id, current.decided_by_id, current.dismiss_reason) == (
        FollowUpStatus.OPEN,
        None,
        None,
        "",
    )


# --- Raise ------------------------------------------------------------------------------------
def test_it_raises_a_follow_up_and_tells_the_account_owner(project, pm, rep):
    follow_up = raise_one(project, pm)

    assert (follow_up.status, follow_up.raised_by, follow_up.estimated_value) == (
        FollowUpStatus.OPEN,
        pm,
        Decimal("30000.00"),
    )
    [notice] = follow_up_notifications()
    assert notice.recipient == rep
    assert "Second plant roll-out" in notice.title
    assert notice.url == f"/projects/{project.pk}/#follow-up-{follow_up.pk}"
    assert Activity.objects.filter(verb="follow_up_raised", target_id=project.pk).exists()


def test_it_tells_the_account_owner_even_when_someone_else_is_the_liaison(project, pm, other_rep):
    project.client.account_owner = other_rep
    project.client.save()

    raise_one(project, pm)

    assert [notice.recipient for notice in follow_up_notifications()] == [other_rep]


@pytest.mark.parametrize("persona", ALLOWED_TO_RAISE)
def test_it_lets_everyone_on_the_project_raise(persona, request, project):
    follow_up = raise_one(project, request.getfixturevalue(persona))

    assert follow_up.pk


@pytest.mark.parametrize("persona", REFUSED_TO_RAISE)
def test_it_refuses_a_follow_up_from_someone_off_the_project(persona, request, project):
    with pytest.raises(PermissionDenied):
        raise_one(project, request.getfixturevalue(persona))

    assert not FollowUp.objects.exists()
    assert not follow_up_notifications()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 10001}, "description"),
        ({"estimated_value": "-1"}, "estimated_value"),
        ({"estimated_value": "lots"}, "estimated_value"),
        ({"estimated_value": "1000000000.01"}, "estimated_value"),
        ({"estimated_value": "10.005"}, "estimated_value"),
        ({"estimated_value": "NaN"}, "estimated_value"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(overrides, field, project, pm):
    with pytest.raises(ValidationError) as error:
        raise_one(project, pm, **overrides)

    assert field in error.value.message_dict
    assert not FollowUp.objects.exists()
    assert not follow_up_notifications()
    assert not Activity.objects.filter(verb="follow_up_raised").exists()


def test_an_empty_estimate_is_zero(project, pm):
    assert raise_one(project, pm, estimated_value=None).estimated_value == Decimal("0.00")


# --- Convert ----------------------------------------------------------------------------------
def test_it_converts_into_a_prefilled_draft_offer_linked_both_ways(follow_up, project, rep):
    offer = follow_up_convert(follow_up=follow_up, actor=rep)

    assert (offer.status, offer.client_id, offer.owner, offer.title, offer.value) == (
        OfferStatus.DRAFT,
        project.client_id,
        rep,
        "Second plant roll-out",
        Decimal("30000.00"),
    )
    assert offer.summary == "The plant manager wants the same system in Linz next year."
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.offer, follow_up.decided_by) == (FollowUpStatus.CONVERTED, offer, rep)
    assert follow_up.decided_at is not None
    assert Offer.objects.get(pk=offer.pk).follow_up == follow_up
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {"offer_created", "follow_up_converted", "created_from_follow_up"} <= verbs


def test_a_zero_estimate_leaves_the_offer_value_to_fill_in(project, pm, rep):
    follow_up = raise_one(project, pm, estimated_value="0")

    assert follow_up_convert(follow_up=follow_up, actor=rep).value is None


def test_the_account_owner_converts_even_when_not_the_liaison(project, pm, rep, other_rep):
    project.client.account_owner = other_rep
    project.client.save()
    follow_up = raise_one(project, pm)

    with pytest.raises(PermissionDenied):
        follow_up_convert(follow_up=follow_up, actor=rep)
    offer = follow_up_convert(follow_up=follow_up, actor=other_rep)

    assert offer.owner == other_rep


@pytest.mark.parametrize("persona", REFUSED_TO_DECIDE)
def test_it_lets_only_the_account_owner_convert(persona, request, follow_up):
    with pytest.raises(PermissionDenied):
        follow_up_convert(follow_up=follow_up, actor=request.getfixturevalue(persona))

    assert unchanged(follow_up)
    assert Offer.objects.count() == 1  # the project's own offer only


def test_it_refuses_to_convert_a_dismissed_follow_up(follow_up, rep):
    follow_up_dismiss(follow_up=follow_up, actor=rep, reason="Budget frozen until 2028.")

    with pytest.raises(TransitionNotAllowed):
        follow_up_convert(follow_up=follow_up, actor=rep)

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.offer_id) == (FollowUpStatus.DISMISSED, None)
    assert Offer.objects.count() == 1


def test_it_refuses_a_second_conversion(follow_up, rep):
    first = follow_up_convert(follow_up=follow_up, actor=rep)

    with pytest.raises(TransitionNotAllowed):
        follow_up_convert(follow_up=follow_up, actor=rep)

    follow_up.refresh_from_db()
    assert follow_up.offer == first
    assert Offer.objects.count() == 2


def test_a_converting_account_owner_must_be_a_sales_rep(follow_up, rep):
    rep.groups.clear()
    rep = User.objects.get(pk=rep.pk)

    with pytest.raises(PermissionDenied):
        follow_up_convert(follow_up=follow_up, actor=rep)

    assert unchanged(follow_up)


# --- Dismiss ----------------------------------------------------------------------------------
def test_it_dismisses_with_a_reason(follow_up, rep):
    follow_up_dismiss(follow_up=follow_up, actor=rep, reason="  They buy this from their parent company.  ")

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.dismiss_reason, follow_up.decided_by) == (
        FollowUpStatus.DISMISSED,
        "They buy this from their parent company.",
        rep,
    )
    assert Activity.objects.filter(verb="follow_up_dismissed").exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_it_refuses_a_dismissal_without_a_proper_reason(reason, follow_up, rep):
    with pytest.raises(ValidationError):
        follow_up_dismiss(follow_up=follow_up, actor=rep, reason=reason)

    assert unchanged(follow_up)


@pytest.mark.parametrize("persona", REFUSED_TO_DECIDE)
def test_it_lets_only_the_account_owner_dismiss(persona, request, follow_up):
    with pytest.raises(PermissionDenied):
        follow_up_dismiss(follow_up=follow_up, actor=request.getfixturevalue(persona), reason="No")

    assert unchanged(follow_up)


def test_it_refuses_to_dismiss_a_converted_follow_up(follow_up, rep):
    offer = follow_up_convert(follow_up=follow_up, actor=rep)

    with pytest.raises(TransitionNotAllowed):
        follow_up_dismiss(follow_up=follow_up, actor=rep, reason="Changed my mind")

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.offer, follow_up.dismiss_reason) == (FollowUpStatus.CONVERTED, offer, "")


# --- Concurrency (real PostgreSQL) --------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_conversions_make_exactly_one_offer(rep, pm):
    follow_up = raise_one(accepted_project(owner=rep, pm=pm), pm)
    callers = 6
    barrier = threading.Barrier(callers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def convert() -> None:
        try:
            actor, target = User.objects.get(pk=rep.pk), FollowUp.objects.get(pk=follow_up.pk)
            barrier.wait(timeout=30)
            follow_up_convert(follow_up=target, actor=actor)
            outcome = "converted"
        except TransitionNotAllowed:
            outcome = "refused"
        except Exception as exc:  # the assertion shows any surprise
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=convert) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["converted"] + ["refused"] * (callers - 1)
    assert Offer.objects.filter(status=OfferStatus.DRAFT).count() == 1
    assert FollowUp.objects.get(pk=follow_up.pk).offer.status == OfferStatus.DRAFT


# --- Pages ------------------------------------------------------------------------------------
def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


def section(project) -> str:
    """The project page's follow-up section, loaded after the page with hx-get."""
    return reverse("projects:follow_up_section", args=[project.pk])


def test_the_project_page_loads_the_follow_up_section_after_it(client_as, project, pm):
    page = client_as(pm).get(detail(project)).content.decode()

    assert f'hx-get="{section(project)}" hx-trigger="load"' in page
    assert f'href="{section(project)}"' in page  # without JavaScript
    assert 'id="follow-ups"' in page  # where the section's links and redirects point


def test_the_section_lists_follow_ups_with_a_raise_form_for_the_team(client_as, project, follow_up, pm):
    page = client_as(pm).get(section(project), **HTMX).content.decode()

    assert "Follow-up opportunities" in page
    assert "Second plant roll-out" in page
    assert 'data-testid="follow-up-form"' in page
    assert 'for="follow_up_title"' in page
    assert 'data-testid="convert-follow-up"' not in page  # the PM does not decide


def test_the_section_has_an_empty_state_and_no_form_for_outsiders(client_as, project, outsider):
    page = client_as(outsider).get(section(project), **HTMX).content.decode()

    assert "No follow-up business recorded yet." in page
    assert 'data-testid="follow-up-form"' not in page


def test_the_account_owner_gets_convert_and_dismiss_in_the_section(client_as, project, follow_up, rep):
    page = client_as(rep).get(section(project), **HTMX).content.decode()

    assert 'data-testid="convert-follow-up"' in page
    assert f'for="dismiss-reason-{follow_up.pk}"' in page


def test_raising_through_htmx_answers_with_the_section(client_as, project, pm, rep):
    response = client_as(pm).post(
        reverse("projects:follow_up_raise", args=[project.pk]),
        {"title": "Support contract", "description": "", "estimated_value": "12000"},
        **HTMX,
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="follow-ups"' in content
    assert "Support contract" in content
    assert "Follow-up raised" in content  # the message, out of band
    assert FollowUp.objects.get().raised_by == pm
    assert [notice.recipient for notice in follow_up_notifications()] == [rep]


def test_raising_without_htmx_redirects_back(client_as, project, pm):
    response = client_as(pm).post(
        reverse("projects:follow_up_raise", args=[project.pk]), {"title": "Support contract", "estimated_value": ""}
    )

    assert response.status_code == 302
    assert response.url == detail(project) + "#follow-ups"
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    "data", [{"title": "", "estimated_value": "10"}, {"title": "Ok", "estimated_value": "-5"}, {"title": "x" * 201}]
)
def test_a_bad_raise_shows_the_errors_and_changes_nothing(data, client_as, project, pm):
    response = client_as(pm).post(reverse("projects:follow_up_raise", args=[project.pk]), data, **HTMX)

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("persona", REFUSED_TO_RAISE)
def test_raising_off_the_project_is_403(persona, request, client_as, project):
    response = client_as(request.getfixturevalue(persona)).post(
        reverse("projects:follow_up_raise", args=[project.pk]), {"title": "Sneaky"}, **HTMX
    )

    assert response.status_code == 403
    assert not FollowUp.objects.exists()


def test_raising_on_an_unknown_project_is_404(client_as, pm):
    response = client_as(pm).post(reverse("projects:follow_up_raise", args=[999999]), {"title": "Nothing"})

    assert response.status_code == 404


def test_converting_through_htmx_sends_the_browser_to_the_new_offer(client_as, follow_up, rep):
    response = client_as(rep).post(reverse("projects:follow_up_convert", args=[follow_up.pk]), **HTMX)

    follow_up.refresh_from_db()
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("handoff:offer_detail", args=[follow_up.offer_id])
    assert follow_up.status == FollowUpStatus.CONVERTED


@pytest.mark.parametrize("persona", REFUSED_TO_DECIDE)
def test_converting_as_anyone_else_is_403(persona, request, client_as, follow_up):
    response = client_as(request.getfixturevalue(persona)).post(
        reverse("projects:follow_up_convert", args=[follow_up.pk]), **HTMX
    )

    assert response.status_code == 403
    assert unchanged(follow_up)


def test_converting_a_dismissed_follow_up_shows_why_and_changes_nothing(client_as, follow_up, rep):
    follow_up_dismiss(follow_up=follow_up, actor=rep, reason="No budget")

    response = client_as(rep).post(reverse("projects:follow_up_convert", args=[follow_up.pk]), {"from": "home"}, **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "already dismissed" in content
    assert f'id="follow-up-{follow_up.pk}"' in content
    assert Offer.objects.count() == 1


def test_dismissing_through_htmx_answers_with_the_follow_up(client_as, follow_up, rep):
    response = client_as(rep).post(
        reverse("projects:follow_up_dismiss", args=[follow_up.pk]), {"reason": "No budget this year"}, **HTMX
    )

    content = response.content.decode()
    assert "Dismissed" in content and "No budget this year" in content
    assert 'data-testid="convert-follow-up"' not in content
    assert FollowUp.objects.get().status == FollowUpStatus.DISMISSED


def test_dismissing_without_a_reason_keeps_the_form_open_with_its_error(client_as, follow_up, rep):
    response = client_as(rep).post(reverse("projects:follow_up_dismiss", args=[follow_up.pk]), {"reason": " "}, **HTMX)

    content = response.content.decode()
    assert "<details open>" in content
    assert 'class="field-error"' in content
    assert unchanged(follow_up)


def test_dismissing_without_htmx_redirects_home_when_it_came_from_there(client_as, follow_up, rep):
    response = client_as(rep).post(
        reverse("projects:follow_up_dismiss", args=[follow_up.pk]), {"reason": "No", "from": "home"}
    )

    assert response.status_code == 302
    assert response.url == "/#follow-ups"


@pytest.mark.parametrize("persona", REFUSED_TO_DECIDE)
def test_dismissing_as_anyone_else_is_403(persona, request, client_as, follow_up):
    response = client_as(request.getfixturevalue(persona)).post(
        reverse("projects:follow_up_dismiss", args=[follow_up.pk]), {"reason": "No"}, **HTMX
    )

    assert response.status_code == 403
    assert unchanged(follow_up)


def test_deciding_an_unknown_follow_up_is_404(client_as, rep):
    for name in ("projects:follow_up_convert", "projects:follow_up_dismiss"):
        assert client_as(rep).post(reverse(name, args=[999999]), {"reason": "x"}).status_code == 404


def test_the_decision_urls_refuse_get(client_as, follow_up, rep):
    assert client_as(rep).get(reverse("projects:follow_up_convert", args=[follow_up.pk])).status_code == 405


def test_the_account_owner_sees_open_follow_ups_on_the_home_page(client_as, project, follow_up, pm, rep):
    decided = raise_one(project, pm, title="Hosting")
    follow_up_dismiss(follow_up=decided, actor=rep, reason="Out of scope")

    page = client_as(rep).get("/").content.decode()

    assert "Follow-up opportunities for your accounts" in page
    assert "Second plant roll-out" in page
    assert "Hosting" not in page
    assert 'name="from" value="home"' in page
    assert project.name in page


def test_other_reps_do_not_see_them_on_their_home_page(client_as, follow_up, other_rep):
    page = client_as(other_rep).get("/").content.decode()

    assert "Second plant roll-out" not in page
    assert "No follow-up business waits for you." in page


def test_the_home_page_queries_do_not_grow_with_follow_ups(client_as, project, follow_up, pm, rep):
    client = client_as(rep)
    with CaptureQueriesContext(connection) as first:
        client.get("/")
    for index in range(5):
        raise_one(accepted_project(owner=rep, pm=pm, title=f"More {index}", with_contacts=False), pm)

    with CaptureQueriesContext(connection) as second:
        response = client.get("/")

    assert response.content.decode().count('data-testid="follow-up"') == 6
    assert len(second) == len(first)


def test_the_project_page_queries_do_not_grow_with_follow_ups(client_as, project, pm, rep):
    follow_up_convert(follow_up=raise_one(project, pm), actor=rep)
    client = client_as(rep)
    with CaptureQueriesContext(connection) as first:
        client.get(detail(project))
    for index in range(5):
        created = raise_one(project, pm, title=f"Opportunity {index}")
        if index % 2:
            follow_up_convert(follow_up=created, actor=rep)
        else:
            follow_up_dismiss(follow_up=created, actor=rep, reason="Not now")

    with CaptureQueriesContext(connection) as second:
        client.get(detail(project))

    assert len(second) == len(first)


def test_the_converted_offer_says_where_it_came_from_and_the_follow_up_links_to_it(client_as, project, follow_up, rep):
    offer = follow_up_convert(follow_up=follow_up, actor=rep)

    offer_page = client_as(rep).get(reverse("handoff:offer_detail", args=[offer.pk])).content.decode()
    origin_url = reverse("projects:offer_origin_panel", args=[offer.pk])
    # The note is projects' panel, loaded by the offer page with hx-get.
    assert f'hx-get="{origin_url}"' in offer_page
    offer_page = client_as(rep).get(origin_url, HTTP_HX_REQUEST="true").content.decode()
    project_section = client_as(rep).get(section(project), **HTMX).content.decode()

    assert 'data-testid="from-follow-up"' in offer_page
    assert f"/projects/{project.pk}/#follow-up-{follow_up.pk}" in offer_page
    assert project.name in offer_page
    assert reverse("handoff:offer_detail", args=[offer.pk]) in project_section


# --- API --------------------------------------------------------------------------------------
API = "/api/v1/follow-ups/"


def test_the_api_raises_a_follow_up(api_as, project, pm, rep):
    response = api_as(pm).post(
        API,
        {
            "project": project.pk,
            "title": "Data warehouse",
            "description": "Heard at the steering committee.",
            "estimated_value": "45000.00",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["estimated_value"], body["client"], body["offer"]) == (
        "open",
        "45000.00",
        project.client_id,
        None,
    )
    assert [notice.recipient for notice in follow_up_notifications()] == [rep]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "No project"},
        {"project": 999999, "title": "Unknown project"},
        {"project": "this", "title": ""},
        {"project": "this", "title": "Negative", "estimated_value": "-1"},
        {"project": "this", "title": "Huge", "estimated_value": "1000000000.01"},
        {"project": "this", "title": "x" * 201},
    ],
)
def test_the_api_refuses_a_bad_raise_with_400_and_creates_nothing(body, api_as, project, pm):
    payload = {**body, "project": project.pk} if body.get("project") == "this" else body

    response = api_as(pm).post(API, payload, format="json")

    assert response.status_code == 400
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("persona", REFUSED_TO_RAISE)
def test_the_api_refuses_a_raise_off_the_project_with_403(persona, request, api_as, project):
    response = api_as(request.getfixturevalue(persona)).post(
        API, {"project": project.pk, "title": "Sneaky"}, format="json"
    )

    assert response.status_code == 403
    assert not FollowUp.objects.exists()


def test_the_api_converts_with_201_and_the_offer_id(api_as, follow_up, rep):
    response = api_as(rep).post(f"{API}{follow_up.pk}/convert/")

    follow_up.refresh_from_db()
    assert response.status_code == 201
    assert response.json() == {"offer": follow_up.offer_id}
    assert api_as(rep).get(f"{API}{follow_up.pk}/").json()["status"] == "converted"


def test_the_api_answers_a_second_conversion_with_409(api_as, follow_up, rep):
    api_as(rep).post(f"{API}{follow_up.pk}/convert/")

    response = api_as(rep).post(f"{API}{follow_up.pk}/convert/")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert Offer.objects.count() == 2


@pytest.mark.parametrize("persona", REFUSED_TO_DECIDE)
def test_the_api_lets_only_the_account_owner_decide(persona, request, api_as, follow_up):
    client = api_as(request.getfixturevalue(persona))

    assert client.post(f"{API}{follow_up.pk}/convert/").status_code == 403
    assert client.post(f"{API}{follow_up.pk}/dismiss/", {"reason": "No"}, format="json").status_code == 403
    assert unchanged(follow_up)


def test_the_api_dismisses_with_a_reason_and_refuses_without(api_as, follow_up, rep):
    client = api_as(rep)

    refused = client.post(f"{API}{follow_up.pk}/dismiss/", {"reason": "  "}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert unchanged(follow_up)

    response = client.post(f"{API}{follow_up.pk}/dismiss/", {"reason": "Budget frozen"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["dismiss_reason"]) == ("dismissed", "Budget frozen")

    again = client.post(f"{API}{follow_up.pk}/convert/")
    assert again.status_code == 409


def test_the_api_answers_404_for_an_unknown_follow_up(api_as, rep):
    assert api_as(rep).post(f"{API}999999/convert/").status_code == 404


def test_the_api_wants_a_login(api, follow_up):
    assert api.get(API).status_code in (401, 403)
    assert api.post(f"{API}{follow_up.pk}/convert/").status_code in (401, 403)


def test_the_api_lists_and_filters_by_project_and_status(api_as, project, follow_up, pm, rep, outsider):
    other_project = accepted_project(owner=rep, pm=pm, title="Other", with_contacts=False)
    other = raise_one(other_project, pm, title="Elsewhere")
    follow_up_dismiss(follow_up=other, actor=rep, reason="No")
    client = api_as(outsider)  # every signed-in user reads projects and their follow-ups

    assert client.get(API).json()["count"] == 2
    by_project = client.get(API, {"project": project.pk}).json()["results"]
    assert [item["id"] for item in by_project] == [follow_up.pk]
    dismissed = client.get(API, {"status": "dismissed"}).json()["results"]
    assert [item["id"] for item in dismissed] == [other.pk]
    assert client.get(API, {"status": "nonsense"}).status_code == 400


def test_the_api_list_query_count_is_pinned(api_as, project, follow_up, pm, rep, django_assert_num_queries):
    client = api_as(rep)
    with django_assert_num_queries(API_LIST_QUERIES):
        client.get(API)
    for index in range(5):
        follow_up_convert(follow_up=raise_one(project, pm, title=f"More {index}"), actor=rep)

    with django_assert_num_queries(API_LIST_QUERIES):
        assert client.get(API).json()["count"] == 6


def test_the_follow_up_endpoints_are_in_the_schema(api_as, rep):
    schema = api_as(rep).get("/api/schema/", {"format": "json"}).json()

    assert "/api/v1/follow-ups/{id}/convert/" in schema["paths"]
    assert "/api/v1/follow-ups/{id}/dismiss/" in schema["paths"]
    assert "201" in schema["paths"]["/api/v1/follow-ups/{id}/convert/"]["post"]["responses"]


# --- Demo -------------------------------------------------------------------------------------
def test_the_demo_has_follow_ups_in_every_status_and_lessons_learned():
    from django.core.management import call_command

    from projects.models import LessonLearned

    call_command("seed_demo", stdout=io.StringIO())
    counts = (FollowUp.objects.count(), LessonLearned.objects.count())
    call_command("seed_demo", stdout=io.StringIO())

    assert set(FollowUp.objects.values_list("status", flat=True)) == {"open", "converted", "dismissed"}
    converted = FollowUp.objects.get(status="converted")
    assert converted.offer.status == OfferStatus.DRAFT
    assert converted.offer.owner == converted.project.client.account_owner
    assert LessonLearned.objects.filter(project__status="completed").count() >= 2
    assert (FollowUp.objects.count(), LessonLearned.objects.count()) == counts


# --- In a real browser ------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_follow_up_goes_from_the_project_page_to_a_draft_offer_in_the_browser(page, live_server, rep, pm):
    from playwright.sync_api import expect

    from tests.browser import login, screenshot, switch_user

    project = accepted_project(owner=rep, pm=pm)
    raise_one(project, pm, title="Hosting and operations", estimated_value="8000")

    # The PM raises a follow-up inline on the project page.
    login(page, live_server, pm)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.fill("#follow_up_title", "Second plant roll-out")
    page.fill("#follow_up_estimated_value", "30000")
    page.fill("#follow_up_description", "The plant manager wants the same system in Linz.")
    page.get_by_test_id("raise-follow-up").click()
    expect(page.locator("#follow-ups")).to_contain_text("Second plant roll-out")
    expect(page.locator("#messages")).to_contain_text("Follow-up raised")
    expect(page.locator("#follow_up_title")).to_have_value("")
    screenshot(page, "project-follow-ups")

    # The account owner dismisses one from the home page, with a reason, and converts the other.
    switch_user(page, live_server, rep)
    page.goto(f"{live_server.url}/")
    hosting = page.locator("[data-testid=follow-up]", has_text="Hosting and operations")
    hosting.get_by_test_id("open-dismiss").click()
    hosting.get_by_test_id("dismiss-follow-up").click()  # the browser's own check: a reason is required
    assert FollowUp.objects.get(title="Hosting and operations").status == FollowUpStatus.OPEN
    hosting.locator("textarea[name=reason]").fill("Their parent company hosts everything.")
    hosting.get_by_test_id("dismiss-follow-up").click()
    expect(page.locator("#follow-ups")).to_contain_text("Their parent company hosts everything.")
    screenshot(page, "home-follow-ups")
    page.locator("[data-testid=follow-up]", has_text="Second plant roll-out").get_by_test_id(
        "convert-follow-up"
    ).click()
    page.wait_for_url(f"{live_server.url}/offers/*/")
    expect(page.get_by_test_id("from-follow-up")).to_contain_text(project.name)
    expect(page.get_by_test_id("offer-status")).to_have_text("Draft")
    offer = FollowUp.objects.get(title="Second plant roll-out").offer
    assert (offer.owner, offer.value) == (rep, Decimal("30000.00"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_link_to_a_follow_up_lands_on_it_once_its_section_has_loaded(page, live_server, rep, pm):
    """The offer's "came from" note links to /projects/<pk>/#follow-up-<pk>: the section arrives after the page."""
    from playwright.sync_api import expect

    from tests.browser import login

    project = accepted_project(owner=rep, pm=pm)
    follow_up = raise_one(project, pm, title="Hosting and operations")
    page.set_viewport_size({"width": 1280, "height": 480})
    login(page, live_server, pm)

    page.goto(f"{live_server.url}/projects/{project.pk}/#follow-up-{follow_up.pk}")

    expect(page.locator(f"#follow-up-{follow_up.pk}")).to_be_in_viewport()
    expect(page.locator("h1")).not_to_be_in_viewport()  # the page went down to it

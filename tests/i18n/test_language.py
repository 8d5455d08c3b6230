"""The user's language (SPEC §7.6): their own setting, then Accept-Language, then LANGUAGE_CODE; users/me,
the profile page, the header switch; notifications and e-mails in the recipient's language; formats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client as BrowserClient
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from core.money import format_money
from notifications.events import Event
from notifications.models import Channel, Notification
from notifications.services import notify
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me/"


def german(text: str) -> str:
    with translation.override("de"):
        return gettext(text)


def set_language(user: User, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return user


# --- Which language a request speaks ---------------------------------------------------------------
def test_it_speaks_english_without_a_choice(client_as, rep):
    response = client_as(rep).get("/")

    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_it_follows_accept_language_when_the_user_chose_nothing(client_as, rep):
    response = client_as(rep).get("/", headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})

    assert response["Content-Language"] == "de"
    assert german("Log out") in response.content.decode()


def test_the_users_own_language_wins_over_accept_language(client_as, rep):
    set_language(rep, "en")

    response = client_as(rep).get("/", headers={"accept-language": "de"})

    assert response["Content-Language"] == "en"


def test_a_german_user_gets_german_whatever_the_browser_says(client_as, rep):
    set_language(rep, "de")

    response = client_as(rep).get("/", headers={"accept-language": "en-GB"})

    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_the_login_page_follows_the_browser(client):
    response = client.get("/login/", headers={"accept-language": "de"})

    assert german("Password") in response.content.decode()
    assert german("Password") != "Password"


# --- users/me ----------------------------------------------------------------------------------
def test_it_shows_the_signed_in_user_with_their_language(api_as, rep):
    response = api_as(rep).get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "rep"
    assert response.json()["language"] == ""


@pytest.mark.parametrize("language", ["de", "en", ""])
def test_it_sets_the_language(api_as, rep, language):
    response = api_as(rep).patch(ME, {"language": language}, format="json")

    assert response.status_code == 200
    assert response.json()["language"] == language
    rep.refresh_from_db()
    assert rep.language == language


@pytest.mark.parametrize(("accept", "expected"), [("en", "Unknown language"), ("de", "Unbekannte Sprache")])
def test_it_refuses_an_unknown_language_with_400_in_the_users_language(api_as, rep, accept, expected):
    response = api_as(rep).patch(ME, {"language": "fr"}, format="json", headers={"accept-language": accept})

    assert response.status_code == 400
    assert list(response.json()) == ["language"]
    assert expected in response.json()["language"][0]
    assert "fr" in response.json()["language"][0]
    rep.refresh_from_db()
    assert rep.language == ""


def test_it_ignores_read_only_fields_on_patch(api_as, rep):
    response = api_as(rep).patch(ME, {"username": "someone", "roles": ["manager"]}, format="json")

    assert response.status_code == 200
    rep.refresh_from_db()
    assert rep.username == "rep"


def test_it_answers_401_without_a_user(api):
    assert api.get(ME).status_code == 401


def test_a_token_user_gets_api_errors_in_their_language(api, rep):
    from rest_framework.authtoken.models import Token

    set_language(rep, "de")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep).key}")

    response = api.patch(ME, {"language": "xx"}, format="json")

    assert response.status_code == 400
    assert "Unbekannte Sprache" in response.json()["language"][0]


def test_the_api_keeps_machine_formats_in_german(api_as, rep):
    set_language(rep, "de")
    offer = OfferFactory(owner=rep, client__account_owner=rep, value=Decimal("12500.00"))

    response = api_as(rep).get(f"/api/v1/offers/{offer.pk}/", headers={"accept-language": "de"})

    assert response.status_code == 200
    body = response.json()
    assert body["value"] == "12500.00"
    assert body["status"] == offer.status  # the enum's English value (§3), not its label
    assert body["created_at"][:4].isdigit() and "T" in body["created_at"]


# --- Profile page and the header switch --------------------------------------------------------------
def test_the_profile_page_sets_the_language(client_as, rep):
    client = client_as(rep)
    assert client.get("/account/").status_code == 200

    response = client.post("/account/", {"language": "de"}, follow=True)

    rep.refresh_from_db()
    assert rep.language == "de"
    assert german("Your settings are saved.") in response.content.decode()
    assert response["Content-Language"] == "de"


def test_the_profile_page_refuses_an_unknown_language(client_as, rep):
    response = client_as(rep).post("/account/", {"language": "fr"})

    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    rep.refresh_from_db()
    assert rep.language == ""


def test_the_header_switch_sets_the_users_language_and_goes_back(client_as, rep):
    client = client_as(rep)
    assert 'name="language" value="de"' in client.get("/").content.decode()

    response = client.post("/language/", {"language": "de", "next": "/notifications/"})

    assert response.status_code == 302 and response["Location"] == "/notifications/"
    rep.refresh_from_db()
    assert rep.language == "de"
    assert client.get("/notifications/")["Content-Language"] == "de"


def test_the_switch_works_before_login_with_a_cookie(client):
    response = client.post("/language/", {"language": "de", "next": "/login/"})

    assert response["Location"] == "/login/"
    assert client.get("/login/")["Content-Language"] == "de"


def test_the_switch_does_not_redirect_to_another_site(client):
    response = client.post("/language/", {"language": "de", "next": "https://evil.test/"})

    assert response["Location"] == "/"


# --- Notifications and e-mails in the recipient's language ---------------------------------------------
def test_each_recipient_reads_a_deferred_title_in_their_own_language(
    rep, pm, manager, django_capture_on_commit_callbacks
):
    from django.utils.translation import gettext_lazy

    from core.i18n import deferred

    set_language(pm, "de")
    offer = OfferFactory(owner=rep, client__account_owner=rep, title="ERP")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # the actor speaks English
        notify(
            event=Event.REVIEW_REQUESTED,
            recipients=[pm, manager],
            target=offer,
            actor=rep,
            title=deferred(gettext_lazy("Handoff returned")),
        )

    assert Notification.objects.get(recipient=pm, channel=Channel.IN_APP).title == german("Handoff returned")
    assert Notification.objects.get(recipient=manager, channel=Channel.IN_APP).title == "Handoff returned"
    by_address = {message.to[0]: message for message in mail.outbox}
    german_mail = by_address[pm.email]
    assert german_mail.subject == german("Handoff returned")
    assert german("Open it in the portal:") in german_mail.body
    assert german("Feasibility review requested") in german_mail.body  # the event's label
    assert "Open it in the portal:" in by_address[manager.email].body


def test_the_default_title_is_in_the_recipients_language(rep, pm):
    set_language(pm, "de")
    offer = OfferFactory(owner=rep, client__account_owner=rep, title="ERP")

    notify(event=Event.HANDOFF_RETURNED, recipients=[pm], target=offer, actor=rep)

    row = Notification.objects.get(recipient=pm, channel=Channel.IN_APP)
    assert row.title == f"{german('Handoff returned')}: ERP"
    assert row.language == "de"


def test_the_inbox_shows_event_labels_in_the_readers_language(client_as, rep, pm):
    set_language(pm, "de")
    offer = OfferFactory(owner=rep, client__account_owner=rep)
    notify(event=Event.HANDOFF_RETURNED, recipients=[pm], target=offer, actor=rep, title="x")

    page = client_as(pm).get("/notifications/").content.decode()

    assert german("Mark read") in page
    assert f">{german('Handoff returned')}<" in page


# --- Formats -----------------------------------------------------------------------------------
def test_money_is_formatted_for_the_language():
    with translation.override("de"):
        assert format_money(Decimal("12500")) == "12.500,00\u00a0€"
    with translation.override("en"):
        assert format_money(Decimal("12500")) == "€12,500.00"


def test_english_dates_stay_british():
    import datetime

    from django.utils.formats import date_format

    with translation.override("en"):
        assert date_format(datetime.date(2026, 10, 25)) == "25 Oct 2026"
        assert date_format(datetime.datetime(2026, 10, 25, 14, 30), "DATETIME_FORMAT") == "25 Oct 2026, 14:30"
    with translation.override("de"):
        assert date_format(datetime.date(2026, 10, 25)) == "25. Oktober 2026"


def test_a_decimal_input_accepts_the_german_decimal_comma():
    from handoff.forms import ReviewCompleteForm

    field = ReviewCompleteForm.base_fields["effort_days"]
    with translation.override("de"):
        assert field.clean("12,5") == Decimal("12.5")
    with translation.override("en"):
        assert field.clean("12.5") == Decimal("12.5")


# --- Client links: the invite's language -------------------------------------------------------------
@pytest.fixture
def project(rep, pm):
    from tests.projects.factories import accepted_project

    return accepted_project(owner=rep, pm=pm)


def test_a_client_link_keeps_the_issuers_language_for_its_invite_and_pages(
    project, pm, django_capture_on_commit_callbacks
):
    from projects.services.client_links import client_link_issue
    from tests.factories import ContactFactory

    contact = ContactFactory(client=project.client, name="Jana Berg", email="jana@client.example")
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        link, token = client_link_issue(actor=pm, project=project, contact=contact, send_email=True)

    assert link.language == "de"
    [message] = mail.outbox
    assert german("Open your project page (no account or password needed):") in message.body
    assert Notification.objects.get(to_email="jana@client.example").language == "de"
    client = BrowserClient()
    client.get(f"/c/{token}/", headers={"accept-language": "en"})
    page = client.get("/c/", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert page["Content-Language"] == "de"


def test_an_english_invite_stays_english_whoever_reads_it(project, pm, django_capture_on_commit_callbacks):
    from projects.services.client_links import client_link_issue
    from tests.factories import ContactFactory

    contact = ContactFactory(client=project.client, name="Jo Black", email="jo@client.example")
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        link, _token = client_link_issue(actor=pm, project=project, contact=contact, send_email=True, language="en")

    assert link.language == "en"
    assert "Open your project page (no account or password needed):" in mail.outbox[0].body

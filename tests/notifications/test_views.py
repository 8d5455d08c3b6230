"""The inbox page, the header badge, mark read and the e-mail preferences page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.events import USER_EVENTS, Event
from notifications.models import Notification, NotificationPreference
from tests.notifications.helpers import inbox_rows, make_offer, notify_about_offer

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")
BADGE = reverse("notifications:badge")
READ_ALL = reverse("notifications:read_all")
PREFERENCES = reverse("notifications:preferences")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def offer(rep):
    return make_offer(rep, title="Roll-out for ACME")


def notice_for(user, offer, *, actor, title="Please review", **kwargs) -> Notification:
    notify_about_offer(offer, recipients=[user], actor=actor, title=title, **kwargs)
    return inbox_rows(user).order_by("-id").first()


# --- Inbox -------------------------------------------------------------------------------
def test_it_lists_the_users_notifications_newest_first(client_as, rep, pm, offer):
    notice_for(pm, offer, actor=rep, title="First")
    notice_for(pm, offer, actor=rep, title="Second")

    response = client_as(pm).get(INBOX)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Second") < content.index("First")
    assert "<title>Inbox" in content


def test_it_shows_nobody_elses_notifications(client_as, rep, pm, other_pm, offer):
    notice_for(other_pm, offer, actor=rep, title="For Peter only")

    response = client_as(pm).get(INBOX)

    assert "For Peter only" not in response.content.decode()


def test_it_highlights_unread_notifications(client_as, rep, pm, offer):
    unread = notice_for(pm, offer, actor=rep, title="Unread one")
    read = notice_for(pm, offer, actor=rep, title="Read one")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())

    content = client_as(pm).get(INBOX).content.decode()

    assert f'id="notification-{unread.pk}" class="notice notice--unread"' in content
    assert f'id="notification-{read.pk}" class="notice"' in content


def test_it_shows_an_empty_inbox(client_as, pm):
    response = client_as(pm).get(INBOX)

    assert "No notifications yet" in response.content.decode()


def test_it_filters_unread_as_an_htmx_fragment(client_as, rep, pm, offer):
    notice_for(pm, offer, actor=rep, title="Still unread")
    read = notice_for(pm, offer, actor=rep, title="Already read")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())

    response = client_as(pm).get(INBOX, {"unread": "1"}, **HTMX)

    content = response.content.decode()
    assert "Still unread" in content
    assert "Already read" not in content
    assert "<html" not in content
    assert response["Vary"].count("HX-Request") == 1


def test_it_paginates_the_inbox(client_as, rep, pm, offer):
    for number in range(26):
        notice_for(pm, offer, actor=rep, title=f"Notice {number:02d}")

    first = client_as(pm).get(INBOX).content.decode()
    second = client_as(pm).get(INBOX, {"page": 2}).content.decode()

    assert "Notice 25" in first
    assert "Notice 00" not in first
    assert "Notice 00" in second
    assert "Page 2 of 2" in second


def test_it_needs_a_login(client):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_renders_the_inbox_in_a_constant_number_of_queries(client_as, rep, pm, offer, django_assert_num_queries):
    notice_for(pm, offer, actor=rep)
    browser = client_as(pm)
    browser.get(INBOX)  # warm the content-type cache

    # session, user (with roles and the badge's count), page count, page rows
    with django_assert_num_queries(4):
        browser.get(INBOX)
    for _ in range(20):
        notice_for(pm, offer, actor=rep)
    with django_assert_num_queries(4):
        browser.get(INBOX)


# --- Opening and marking read ----------------------------------------------------------------
def test_it_opens_the_object_and_marks_the_notification_read(client_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep, url="/somewhere/")

    response = client_as(pm).get(reverse("notifications:open", args=[notice.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_it_refuses_to_open_another_users_notification(client_as, rep, pm, other_pm, offer):
    notice = notice_for(other_pm, offer, actor=rep)

    response = client_as(pm).get(reverse("notifications:open", args=[notice.pk]))

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_it_never_redirects_off_site(client_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep, url="https://evil.example.com/")

    response = client_as(pm).get(reverse("notifications:open", args=[notice.pk]))

    assert response["Location"] == "/"


def test_it_marks_one_read_with_htmx(client_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep)

    response = client_as(pm).post(reverse("notifications:read", args=[notice.pk]), **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "inboxChanged"
    content = response.content.decode()
    assert f'id="notification-{notice.pk}" class="notice"' in content
    assert "Mark read" not in content
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_it_marks_one_read_and_redirects_without_htmx(client_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep)

    response = client_as(pm).post(reverse("notifications:read", args=[notice.pk]))

    assert response.status_code == 302
    assert response["Location"] == INBOX
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_it_refuses_to_mark_another_users_notification_read(client_as, rep, pm, other_pm, offer):
    notice = notice_for(other_pm, offer, actor=rep)

    response = client_as(pm).post(reverse("notifications:read", args=[notice.pk]), **HTMX)

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_it_refuses_to_mark_read_by_get(client_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep)

    response = client_as(pm).get(reverse("notifications:read", args=[notice.pk]))

    assert response.status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_it_marks_all_read(client_as, rep, pm, other_pm, offer):
    for _ in range(3):
        notice_for(pm, offer, actor=rep)
    theirs = notice_for(other_pm, offer, actor=rep)

    response = client_as(pm).post(READ_ALL, **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "inboxChanged"
    assert not inbox_rows(pm).filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_all_read_and_redirects_without_htmx(client_as, rep, pm, offer):
    notice_for(pm, offer, actor=rep)

    response = client_as(pm).post(READ_ALL)

    assert response.status_code == 302
    assert not inbox_rows(pm).filter(read_at__isnull=True).exists()


# --- The header badge ---------------------------------------------------------------------
def test_it_shows_the_unread_count_in_the_header(client_as, rep, pm, offer):
    notice_for(pm, offer, actor=rep)
    notice_for(pm, offer, actor=rep)

    content = client_as(pm).get(INBOX).content.decode()

    assert 'data-unread="2"' in content
    assert f'hx-get="{BADGE}"' in content


def test_it_answers_the_badge_fragment_with_the_count(client_as, rep, pm, offer):
    notice_for(pm, offer, actor=rep)

    response = client_as(pm).get(BADGE, **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="inbox-badge"' in content
    assert 'data-unread="1"' in content
    assert "<html" not in content
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_shows_no_count_when_everything_is_read(client_as, pm):
    content = client_as(pm).get(BADGE).content.decode()

    assert "data-unread" not in content


def test_it_stops_the_badge_polling_when_signed_out(client):
    response = client.get(BADGE, **HTMX)

    assert response.status_code == 286
    assert response.content == b""


def test_it_answers_the_badge_in_a_constant_number_of_queries(client_as, rep, pm, offer, django_assert_num_queries):
    notice_for(pm, offer, actor=rep)
    browser = client_as(pm)

    # session, user (with the count)
    with django_assert_num_queries(2):
        browser.get(BADGE)
    for _ in range(20):
        notice_for(pm, offer, actor=rep)
    with django_assert_num_queries(2):
        browser.get(BADGE)


# --- E-mail preferences ---------------------------------------------------------------------
def test_it_shows_every_event_with_email_on_by_default(client_as, pm):
    content = client_as(pm).get(PREFERENCES).content.decode()

    for event in USER_EVENTS:
        assert f'value="{event.value}"' in content
    assert content.count("checked") == len(USER_EVENTS)
    # An invitation to a client contact is no user's event: nobody turns it on or off.
    assert 'value="client_link_invite"' not in content


def test_it_turns_email_off_for_the_unchecked_events(client_as, pm):
    wanted = [event.value for event in USER_EVENTS if event != Event.HANDOFF_RETURNED]

    response = client_as(pm).post(PREFERENCES, {"email": wanted})

    assert response.status_code == 302
    off = NotificationPreference.objects.filter(user=pm, email_enabled=False)
    assert [preference.event for preference in off] == [Event.HANDOFF_RETURNED]
    content = client_as(pm).get(PREFERENCES).content.decode()
    assert content.count("checked") == len(USER_EVENTS) - 1


def test_it_turns_email_back_on(client_as, pm):
    NotificationPreference.objects.create(user=pm, event=Event.HANDOFF_RETURNED, email_enabled=False)

    client_as(pm).post(PREFERENCES, {"email": [event.value for event in USER_EVENTS]})

    assert not NotificationPreference.objects.filter(user=pm, email_enabled=False).exists()


def test_it_refuses_an_unknown_event_and_changes_nothing(client_as, pm):
    response = client_as(pm).post(PREFERENCES, {"email": ["no_such_event"]})

    assert response.status_code == 200
    assert "not one of the available choices" in response.content.decode()
    assert not NotificationPreference.objects.exists()

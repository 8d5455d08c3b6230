"""/api/v1/notifications/: own only, ?unread=true, mark read, mark all read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.factories import UserFactory
from tests.notifications.helpers import inbox_rows, make_offer, notify_about_offer

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
READ_ALL = "/api/v1/notifications/read-all/"


def read_url(notification: Notification) -> str:
    return f"/api/v1/notifications/{notification.pk}/read/"


@pytest.fixture
def offer(rep):
    return make_offer(rep, title="Roll-out for ACME")


def notice_for(user, offer, *, actor, **kwargs) -> Notification:
    notify_about_offer(offer, recipients=[user], actor=actor, **kwargs)
    return inbox_rows(user).order_by("-id").first()


def test_it_lists_the_callers_in_app_notifications(api_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep, title="Please review", url="/offers/1/")

    response = api_as(pm).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item == {
        "id": notice.pk,
        "event": "review_requested",
        "event_label": "Feasibility review requested",
        "title": "Please review",
        "body": "",
        "url": "/offers/1/",
        "target_type": "handoff.offer",
        "target_id": offer.pk,
        "actor": rep.pk,
        "actor_name": rep.full_name,
        "created_at": item["created_at"],
        "read_at": None,
        "unread": True,
    }


def test_it_lists_nobody_elses_notifications(api_as, rep, pm, other_pm, offer):
    notice_for(other_pm, offer, actor=rep)

    assert api_as(pm).get(LIST).json()["count"] == 0


def test_it_filters_unread(api_as, rep, pm, offer):
    unread = notice_for(pm, offer, actor=rep)
    read = notice_for(pm, offer, actor=rep)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())

    unread_ids = [item["id"] for item in api_as(pm).get(LIST, {"unread": "true"}).json()["results"]]
    read_ids = [item["id"] for item in api_as(pm).get(LIST, {"unread": "false"}).json()["results"]]

    assert unread_ids == [unread.pk]
    assert read_ids == [read.pk]


def test_it_refuses_a_malformed_unread_filter(api_as, pm):
    response = api_as(pm).get(LIST, {"unread": "perhaps"})

    assert response.status_code == 400
    assert "unread" in response.json()


def test_it_marks_one_read(api_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep)

    response = api_as(pm).post(read_url(notice))

    assert response.status_code == 200
    assert response.json()["unread"] is False
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_it_marks_one_read_idempotently(api_as, rep, pm, offer):
    notice = notice_for(pm, offer, actor=rep)
    client = api_as(pm)
    first = client.post(read_url(notice)).json()["read_at"]

    second = client.post(read_url(notice)).json()["read_at"]

    assert first == second


def test_it_answers_404_for_another_users_notification(api_as, rep, pm, other_pm, offer):
    notice = notice_for(other_pm, offer, actor=rep)
    client = api_as(pm)

    assert client.get(f"{LIST}{notice.pk}/").status_code == 404
    assert client.post(read_url(notice)).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_it_does_not_serve_email_delivery_rows(api_as, rep, pm, offer):
    notify_about_offer(offer, recipients=[pm], actor=rep)
    email = Notification.objects.get(recipient=pm, channel="email")

    assert api_as(pm).get(f"{LIST}{email.pk}/").status_code == 404


def test_it_marks_all_read(api_as, rep, pm, other_pm, offer):
    for _ in range(3):
        notice_for(pm, offer, actor=rep)
    theirs = notice_for(other_pm, offer, actor=rep)

    response = api_as(pm).post(READ_ALL)

    assert response.status_code == 200
    assert response.json() == {"marked": 3}
    assert not inbox_rows(pm).filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_refuses_anonymous_callers(api):
    assert api.get(LIST).status_code in (401, 403)
    assert api.post(READ_ALL).status_code in (401, 403)


def test_it_works_with_a_token(api, rep, pm, offer):
    from rest_framework.authtoken.models import Token

    notice_for(pm, offer, actor=rep)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=pm).key}")

    assert api.get(LIST).json()["count"] == 1


def test_it_lists_in_a_constant_number_of_queries(api_as, rep, pm, offer, django_assert_num_queries):
    notice_for(pm, offer, actor=rep)
    client = api_as(pm)
    client.get(LIST)  # warm the content-type cache

    # session, user, count, page rows (actor joined)
    with django_assert_num_queries(4):
        client.get(LIST)
    for _ in range(20):
        notice_for(pm, offer, actor=UserFactory(roles=["sales"]))
    with django_assert_num_queries(4):
        assert client.get(LIST).json()["count"] == 21

"""The admin shows notifications and preferences read-only."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.notifications.helpers import make_offer, notify_about_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_it_lists_notifications_with_filters(admin_client, rep, pm):
    notify_about_offer(make_offer(rep), recipients=[pm], actor=rep, title="Please review")

    response = admin_client.get("/admin/notifications/notification/", {"channel": "email", "status": "pending"})

    assert response.status_code == 200
    assert "Please review" in response.content.decode()


def test_it_refuses_to_add_or_edit_notifications_by_hand(admin_client, rep, pm):
    notify_about_offer(make_offer(rep), recipients=[pm], actor=rep)

    assert admin_client.get("/admin/notifications/notification/add/").status_code == 403
    assert admin_client.get("/admin/notifications/notificationpreference/add/").status_code == 403

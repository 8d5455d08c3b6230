"""The signed-in user as every request loads it: session, user, roles and unread count in two queries.

Django's session engine reads the session and ``accounts.backends`` loads the user with their roles and
unread count in one query. These tests pin that nothing is kept between
requests: a role taken away, a user deactivated, a session expired or a notification read shows on
the very next request.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.backends import PortalBackend, load_user
from accounts.models import User
from accounts.roles import Role
from notifications.models import Notification
from notifications.selectors import UNREAD_COUNT_CAP, unread_count
from tests.factories import UserFactory
from tests.notifications.helpers import make_offer, notify_about_offer

pytestmark = pytest.mark.django_db

HOME = reverse("home")
BADGE = reverse("notifications:badge")
DASHBOARD = reverse("dashboards:dashboard")


def _unread(user, count: int, *, actor) -> None:
    offer = make_offer(actor, title="Roll-out for ACME")
    for number in range(count):
        notify_about_offer(offer, recipients=[user], actor=actor, title=f"Notice {number}")


# --- load_user: the same user, roles and count as the ORM ---------------------------------
@pytest.mark.parametrize(
    "groups",
    [[], ["sales"], ["pm"], ["manager"], ["sales", "pm"], ["sales", "pm", "manager"], ["auditors"], ["pm", "auditors"]],
)
def test_it_loads_the_same_roles_as_the_groups_say(groups):
    user = UserFactory(roles=[])
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])

    loaded = load_user(user.pk)

    assert loaded == user
    assert loaded.roles == frozenset(name for name in groups if name in Role.values)
    # The fallback for users loaded any other way says the same.
    assert User.objects.get(pk=user.pk).roles == loaded.roles


def test_it_loads_every_field_as_the_orm_does():
    user = UserFactory(roles=["pm"], email="paula@example.com", last_login=timezone.now())

    loaded, orm = load_user(user.pk), User.objects.get(pk=user.pk)

    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
    assert loaded.last_login.tzinfo is not None
    assert loaded._state.adding is False and loaded._state.db == "default"


def test_it_costs_one_query():
    user = UserFactory(roles=["sales", "manager"])

    with CaptureQueriesContext(connection) as queries:
        loaded = load_user(user.pk)
        assert loaded.roles == {"sales", "manager"}
        assert unread_count(user=loaded) == 0

    assert len(queries) == 1


@pytest.mark.parametrize("user_id", [0, 10**12, "abc", "", None, "1; DROP TABLE accounts_user"])
def test_it_finds_nobody_for_an_unknown_or_malformed_id(user_id):
    UserFactory()

    assert load_user(user_id) is None
    assert PortalBackend().get_user(user_id) is None


def test_it_refuses_an_inactive_user():
    user = UserFactory(is_active=False)

    assert PortalBackend().get_user(user.pk) is None


def test_it_counts_only_unread_notifications(rep, pm):
    _unread(pm, 3, actor=rep)
    first = Notification.objects.filter(recipient=pm).earliest("id")
    Notification.objects.filter(pk=first.pk).update(read_at=timezone.now())

    assert load_user(pm.pk).unread_notifications_at_load == 2
    assert unread_count(user=User.objects.get(pk=pm.pk)) == 2


# --- Across requests: nothing is kept -------------------------------------------------------
def test_a_role_taken_away_counts_from_the_next_request(client_as, manager):
    client = client_as(manager)
    assert client.get(DASHBOARD).status_code == 200
    assert f'href="{DASHBOARD}"'.encode() in client.get(HOME).content

    manager.groups.clear()

    assert client.get(DASHBOARD).status_code == 403
    assert f'href="{DASHBOARD}"'.encode() not in client.get(HOME).content


def test_a_role_granted_counts_from_the_next_request(client_as, outsider):
    client = client_as(outsider)
    assert client.get(DASHBOARD).status_code == 403

    outsider.groups.add(Group.objects.get_or_create(name=Role.MANAGER)[0])

    assert client.get(DASHBOARD).status_code == 200


def test_a_deactivated_user_is_signed_out_at_the_next_request(client_as, rep):
    client = client_as(rep)
    assert client.get(HOME).status_code == 200

    User.objects.filter(pk=rep.pk).update(is_active=False)

    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_expired_session_is_signed_out(client_as, rep):
    client = client_as(rep)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_session_key_is_signed_out(client, rep):
    client.cookies["sessionid"] = "x" * 32

    response = client.get(HOME)

    assert response.status_code == 302
    assert client.session.session_key != "x" * 32


def test_a_session_survives_its_read(client_as, rep, rf):
    client = client_as(rep)
    request = rf.get(HOME)
    request.session = client.session.__class__(client.session.session_key)

    assert get_user(request) == rep


def test_the_badge_shows_what_is_unread_now(client_as, rep, pm):
    client = client_as(pm)
    assert b"data-unread" not in client.get(HOME).content

    _unread(pm, 2, actor=rep)
    assert b'data-unread="2"' in client.get(HOME).content
    assert b'data-unread="2"' in client.get(BADGE).content

    Notification.objects.filter(recipient=pm).update(read_at=timezone.now())
    assert b"data-unread" not in client.get(HOME).content


def test_the_badge_says_99_plus_beyond_the_cap(client_as, rep, pm):
    _unread(pm, UNREAD_COUNT_CAP + 5, actor=rep)

    content = client_as(pm).get(HOME).content.decode()

    assert f'data-unread="{UNREAD_COUNT_CAP}"' in content
    assert ">99+<" in content
    assert 'aria-label="Inbox, 99+ unread"' in content

"""Logging in and out, and login throttling (django-axes)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import Role
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_logs_in_and_goes_home(client, rep):
    response = client.post("/login/", {"username": "rep", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_follows_next_after_login(client, rep):
    response = client.post("/login/", {"username": "rep", "password": DEFAULT_PASSWORD, "next": "/search/?q=ac"})

    assert response["Location"] == "/search/?q=ac"


def test_it_refuses_to_follow_next_to_another_site(client, rep):
    response = client.post("/login/", {"username": "rep", "password": DEFAULT_PASSWORD, "next": "https://evil.test/"})

    assert response["Location"] == "/"


def test_it_shows_an_error_for_a_wrong_password(client, rep):
    response = client.post("/login/", {"username": "rep", "password": "wrong"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_it_sends_a_signed_in_user_home_from_the_login_page(client_as, rep):
    response = client_as(rep).get("/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_logs_out_with_post(client_as, rep):
    client = client_as(rep)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_it_does_not_log_out_with_get(client_as, rep):
    client = client_as(rep)

    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_it_locks_the_login_after_repeated_failures(client, rep):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = client.post("/login/", {"username": "rep", "password": "wrong"})
        assert response.status_code == 200

    response = client.post("/login/", {"username": "rep", "password": "wrong"})

    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content


def test_it_refuses_even_the_right_password_while_locked(client, rep):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rep", "password": "wrong"})

    response = client.post("/login/", {"username": "rep", "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_does_not_lock_other_users(client, rep, pm):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "rep", "password": "wrong"})

    response = client.post("/login/", {"username": "pm", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302


def test_it_forgets_failures_after_a_successful_login(client, rep):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "rep", "password": "wrong"})
    client.post("/login/", {"username": "rep", "password": DEFAULT_PASSWORD})
    client.post("/logout/")

    response = client.post("/login/", {"username": "rep", "password": "wrong"})

    assert response.status_code == 200


def test_it_has_a_group_for_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db(transaction=True)
def test_it_recreates_the_role_groups_after_a_flush():
    # Transactional and live-server tests flush the database after each test.
    call_command("flush", interactive=False, verbosity=0)

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)

"""`manage.py add_user USERNAME --role ... [--password] [--email]` (SPEC §4 Commands)."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from core.models import Activity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-and-unusual-passphrase"


def add_user(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_user_with_one_role():
    output = add_user("zoe", "--role", "sales", "--password", GOOD_PASSWORD, "--email", "zoe@example.com")

    user = User.objects.get(username="zoe")
    assert user.roles == {"sales"}
    assert user.email == "zoe@example.com"
    assert user.check_password(GOOD_PASSWORD)
    assert "Created zoe with roles sales" in output


def test_it_creates_a_user_with_several_roles():
    add_user("max", "--role", "pm", "--role", "manager", "--role", "pm")

    assert User.objects.get(username="max").roles == {"pm", "manager"}


def test_it_creates_a_user_without_a_password_who_cannot_log_in_yet():
    add_user("nopass", "--role", "pm")

    assert not User.objects.get(username="nopass").has_usable_password()


def test_it_sets_the_names():
    add_user("ann", "--role", "pm", "--first-name", "Ann", "--last-name", "Lee")

    assert User.objects.get(username="ann").full_name == "Ann Lee"


def test_it_logs_the_creation():
    add_user("logged", "--role", "manager")

    user = User.objects.get(username="logged")
    activity = Activity.objects.get(verb="user_created", target_id=user.pk)
    assert activity.changes == {"roles": [[], ["manager"]]}


def test_it_refuses_an_unknown_role_and_creates_nothing():
    with pytest.raises(CommandError, match=r"Unknown role\(s\) ceo; choose from sales, pm, manager"):
        add_user("zoe", "--role", "sales", "--role", "ceo")

    assert not User.objects.filter(username="zoe").exists()


def test_it_refuses_a_taken_username():
    UserFactory(username="taken", roles=["sales"])

    with pytest.raises(CommandError, match="The username 'taken' is already taken"):
        add_user("taken", "--role", "pm")

    assert User.objects.get(username="taken").roles == {"sales"}


def test_it_refuses_a_taken_username_in_other_case():
    UserFactory(username="taken")

    with pytest.raises(CommandError, match="already taken"):
        add_user("TAKEN", "--role", "pm")


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "too short"), ("password123", "too common"), ("8675309123456", "entirely numeric")],
)
def test_it_refuses_a_weak_password_and_creates_nothing(password, message):
    with pytest.raises(CommandError, match=message):
        add_user("weak", "--role", "sales", "--password", password)

    assert not User.objects.filter(username="weak").exists()


def test_it_refuses_an_invalid_username():
    with pytest.raises(CommandError, match="username"):
        add_user("no spaces allowed", "--role", "sales")

    assert User.objects.count() == 0


def test_it_refuses_an_invalid_email():
    with pytest.raises(CommandError, match="email"):
        add_user("mail", "--role", "sales", "--email", "not-an-address")

    assert not User.objects.filter(username="mail").exists()


def test_it_requires_a_role():
    with pytest.raises(CommandError, match="--role"):
        add_user("norole")

"""Demo users: one per role (and a second rep and PM), with known passwords for `make run`."""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts.models import User

DEMO_PASSWORD = "handoff-demo"  # noqa: S105 - printed for local demos only

DEMO_USERS = [
    # username, first, last, roles
    ("rita", "Rita", "Reyes", ["sales"]),
    ("sam", "Sam", "Sutter", ["sales"]),
    ("paula", "Paula", "Meier", ["pm"]),
    ("peter", "Peter", "Novak", ["pm"]),
    ("mona", "Mona", "Berg", ["manager"]),
]


def seed(stdout=None) -> dict[str, User]:
    users: dict[str, User] = {}
    for username, first, last, roles in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*Group.objects.filter(name__in=roles))
        users[username] = user
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD, first_name="Ada", last_name="Admin")
    if stdout is not None:
        stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, first, last, roles in DEMO_USERS:
            name = f"{first} {last}"
            stdout.write(f"  {username:<8} {name:<16} {', '.join(roles)}")
        stdout.write("  admin    Django admin (superuser)")
    return users

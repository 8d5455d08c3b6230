from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a portal user with one or more roles (sales, pm, manager)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", action="append", required=True, dest="roles", help=f"One of {', '.join(Role.values)}; repeatable."
        )
        parser.add_argument("--password", help="Without it the user cannot log in until a password is set.")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options):
        try:
            user = user_create(
                username=options["username"],
                roles=options["roles"],
                password=options["password"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as exc:
            messages = [f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()]
            raise CommandError("; ".join(messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} with roles {', '.join(sorted(user.roles))}"))

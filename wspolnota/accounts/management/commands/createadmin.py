"""Create the platform's first administrator (or make an existing account one).

    manage.py createadmin --email it@um.krakow.pl --full-name "Anna Nowak"

asks for the password twice; ``--password-stdin`` reads it from the first line of standard input
instead (for provisioning scripts: ``pass show wsp-admin | manage.py createadmin … --password-stdin``).
An existing account keeps its password. Once an administrator exists, further ones are given on
the Roles page by an administrator, so the command refuses unless ``--force`` says the platform
has lost its administrators' access (the grant is audit-logged either way).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.accounts import selectors, services
from wspolnota.core.errors import DomainError


class Command(BaseCommand):
    help = "Create the first administrator (or give an existing account the administrator role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the administrator's e-mail address")
        parser.add_argument("--full-name", default="", help="shown in the audit log")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input instead of asking",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="even though an administrator exists (e.g. the only one has left the city hall)",
        )

    def _password(self, options: dict[str, Any], *, needed: bool) -> str | None:
        if not needed:
            return None
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password: use --password-stdin")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"]
        needs_password = not selectors.account_exists(email=email)
        password = self._password(options, needed=needs_password)
        try:
            user = services.administrator_bootstrap(
                email=email,
                password=password,
                full_name=options["full_name"],
                allow_more=options["force"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        what = "created with" if needs_password else "given"
        self.stdout.write(f"{user.email}: account {what} the administrator role")

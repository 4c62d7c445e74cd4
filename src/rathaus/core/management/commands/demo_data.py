from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.core import demo


class Command(BaseCommand):
    help = "Load the Gemeinde Barleben demo (idempotent) and print the demo staff logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.RATHAUS_PRODUCTION:
            raise CommandError(
                "Demo data has public passwords and is refused in production mode "
                "(RATHAUS_DEBUG=false without RATHAUS_DEMO=true)."
            )
        self.stdout.write("Loading the Barleben demo …")
        tally, logins = demo.load()
        for key in sorted(tally):
            self.stdout.write(f"  {key}: {tally[key]}")
        created = sum(v for k, v in tally.items() if k.endswith("created"))
        updated = sum(v for k, v in tally.items() if k.endswith("updated"))
        unchanged = sum(v for k, v in tally.items() if k.endswith("unchanged"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {created} created, {updated} updated, {unchanged} unchanged."
            )
        )
        self.stdout.write("")
        self.stdout.write("Demo staff logins at /verwaltung/ (demo only, never in production):")
        self.stdout.write(f"  password for all: {demo.DEMO_PASSWORD}")
        width = max((len(login.staff.username) for login in logins), default=0)
        for login in logins:
            staff = login.staff
            note = "" if login.password_is_demo else "  (password was changed)"
            admin = ", admin" if staff.superuser else ""
            self.stdout.write(
                f"  {staff.username:<{width}} {staff.first_name} {staff.last_name} "
                f"({staff.unit}, {staff.role}{admin}){note}"
            )
            self.stdout.write(f"  {'':<{width}} TOTP secret {staff.totp_secret}")
        self.stdout.write(
            "Add a secret to an authenticator app, or print the current code with "
            "`rathaus demo-totp USERNAME`."
        )
        for note in demo.login_notes:
            self.stdout.write(note)
        self.stdout.write(
            f"E-mails of the demo: http://127.0.0.1:{settings.RATHAUS_PORT}/demo/postausgang/"
        )

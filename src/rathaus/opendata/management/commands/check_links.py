"""``rathaus check-links [--authority SLUG]``: the weekly link check, run by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.core.models import Authority
from rathaus.opendata import link_check
from rathaus.opendata.catalogue_models import Distribution


class Command(BaseCommand):
    help = (
        "Check the download and access addresses of the published datasets' distributions "
        "(as the weekly job does) and store the result that staff see in the catalogue."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", help="only the catalogue of this authority (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = None
        if options["authority"]:
            authority = Authority.objects.filter(slug=options["authority"]).first()
            if authority is None:
                raise CommandError(f"no authority with the slug {options['authority']!r}")
        summary = link_check.run(authority, progress=self._progress)
        for _pk, _url, error in summary.broken:
            self.stdout.write(f"  broken: {error}")
        text = (
            f"{summary.checked} distributions checked: "
            f"{summary.ok} ok, {len(summary.broken)} broken."
        )
        self.stdout.write(self.style.WARNING(text) if summary.broken else self.style.SUCCESS(text))

    def _progress(self, number: int, total: int, distribution: Distribution, error: str) -> None:
        mark = "broken" if error else "ok"
        self.stdout.write(f"  [{number}/{total}] {mark} {distribution.access_url}")

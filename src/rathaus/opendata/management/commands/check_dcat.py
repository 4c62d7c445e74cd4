"""``rathaus check-dcat [--authority SLUG] [--shapes 2.0|3.0]``: the export's SHACL report."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from rathaus.core.models import Authority
from rathaus.opendata.dcat import rdf
from rathaus.opendata.dcat.validation import VERSIONS, validate


class Command(BaseCommand):
    help = (
        "Check the DCAT-AP.de export of an authority's catalogue (every page) against the "
        "DCAT-AP.de SHACL shapes, offline, and print every violation, warning and note. Exit "
        "status 1 if there is a violation: GovData would refuse those datasets."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--authority", default=None,
            help="short name of the authority (default: the default authority)",
        )  # fmt: skip
        parser.add_argument(
            "--shapes", choices=VERSIONS, action="append", default=None,
            help="DCAT-AP.de version of the shapes; repeat for both (default: 2.0 and 3.0)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["authority"] or settings.RATHAUS_DEFAULT_AUTHORITY
        authority = Authority.objects.filter(slug=slug).first()
        if authority is None:
            raise CommandError(f"There is no authority with the short name {slug!r}.")
        violations = 0
        for version in options["shapes"] or list(VERSIONS):
            started = time.monotonic()
            graph = self.catalogue(authority, version)
            datasets = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
            self.stdout.write(
                f"{authority.name}: {datasets} published datasets, DCAT-AP.de {version} shapes …"
            )
            report = validate(graph, version)
            for finding in report.findings:
                self.stdout.write(
                    f"  {finding.severity}: {finding.focus}\n"
                    f"    {finding.path or '(node)'}: {finding.message}"
                )
            counts = ", ".join(
                f"{len(report.of(severity))} {severity.lower()}s"
                for severity in ("Violation", "Warning", "Info")
            )
            summary = f"DCAT-AP.de {version}: {counts} ({time.monotonic() - started:.1f} s)."
            violations += len(report.violations)
            style = self.style.ERROR if report.violations else self.style.SUCCESS
            self.stdout.write(style(summary))
        if violations:
            raise CommandError(f"{violations} violations: GovData would refuse these datasets.")

    def catalogue(self, authority: Authority, version: str) -> Graph:
        """Every page, one after the other, as a harvester reads them."""
        graph = Graph()
        page_size = int(settings.RATHAUS_DCAT_PAGE_SIZE)
        page, last = 1, 1
        while page <= last:
            part, paging = rdf.catalogue_page(authority, page, page_size, version)
            graph += part
            last = paging.last
            page += 1
        return graph

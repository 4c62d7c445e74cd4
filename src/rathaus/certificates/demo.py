"""The certificate portal in the Barleben demo: Barleben's fee table, order form and process."""

from __future__ import annotations

from rathaus.certificates import install
from rathaus.core.demo import Tally
from rathaus.core.models import Authority


def load(tally: Tally) -> None:
    authority = Authority.objects.filter(slug="barleben").first()
    if authority is None:
        return
    report = install.install(authority, actor_name="rathaus demo-data")
    for outcome, count in report.fees.items():
        tally[f"Fee: {outcome}"] += count
    tally[f"FormVersion: {report.form}"] += 1
    if report.process != "skipped":  # the payment handlers are not installed
        tally[f"ProcessVersion: {report.process}"] += 1

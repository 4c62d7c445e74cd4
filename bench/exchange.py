#!/usr/bin/env python3
"""Exchange: applications per second sent and received between two local installations.

Sets up Barleben (sender) and the Landkreis Börde elsewhere (receiver) as in the exchange tests
(tests/exchange/installations.py, ADR 0055): two data directories, two databases, two key sets,
``rathaus serve`` and ``rathaus worker`` each, connected with the operator's commands. Then a
citizen applies APPLICATIONS times at Barleben (each with a PDF of about 30 kB) and the script
waits until the Landkreis has accepted every one. From the rows of both installations:

- **sent**: from the outbox entry (routing found no unit here) to the receiver's 202 on the
  submit: encrypt metadata, data and attachment (RSA-OAEP-256 + A256GCM), announce, upload,
  submit;
- **received**: from the receiver's 202 to its accept event: decrypt, check hashes, schema and
  form, store the submission and file, open the case, sign the event;
- **end to end**: from the outbox entry to the verified accept event at the sender (callback,
  event log fetched and checked).

p50 and p95 per application; the rate is applications divided by the time from the first
entering the step to the last leaving it (one worker per installation).

    .venv/bin/python bench/exchange.py [--applications 40]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/exchange.py

Only 127.0.0.1 is contacted; everything stops and is deleted by itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from common import ROOT, add_smoke_option, print_table

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
from tests.exchange.installations import Pair, PostgresServer, two_installations

PATIENCE_PER_APPLICATION = 10  # seconds; the wait fails after this times the count (+ 2 min)

ANSWERS = {
    "topic": "Für einen sicheren Schulweg",
    "date": "2027-05-01",
    "organiser": "Elterninitiative Barleben",
    "address": {"street": "Breiteweg 12", "postal_code": "39179", "place": "Barleben"},
}

SENT = """
from rathaus.exchange.models import Outgoing
rows = Outgoing.objects.filter(status='accepted').values_list(
    'submission_uuid', 'created_at', 'sent_at', 'settled_at')
result = {'open': Outgoing.objects.exclude(status='accepted').count(),
          'rows': [[str(u), c.timestamp(), s.timestamp(), d.timestamp()] for u, c, s, d in rows]}
"""

RECEIVED = """
from rathaus.exchange.models import Incoming
rows = Incoming.objects.filter(status='accepted').values_list(
    'submission_uuid', 'submitted_at', 'settled_at')
result = [[str(u), s.timestamp(), d.timestamp()] for u, s, d in rows]
"""


def postgres_server() -> PostgresServer | None:
    """The server of RATHAUS_DATABASE_URL (scripts/with_postgres.py), if it is PostgreSQL."""
    import os

    url = os.environ.get("RATHAUS_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    parts = urlsplit(url)
    return PostgresServer(host=parts.hostname or "127.0.0.1", port=str(parts.port or 5432),
                          user=parts.username or "postgres")  # fmt: skip


def plan_pdf(number: int) -> bytes:
    """A well-formed one-page PDF of about 30 kB (a site plan of the assembly)."""
    text = b"BT /F1 12 Tf 72 720 Td (Lageplan %d) Tj ET\n" % number
    content = text + b"% " + b"x" * 30000 + b"\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % index + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)  # fmt: skip
    return bytes(out)


def apply(pair: Pair, count: int) -> None:
    browser = pair.sender.browser()
    browser.log_in_as_citizen()
    for number in range(count):
        name = f"lageplan-{number}.pdf"
        upload = browser.upload(f"/api/v1/forms/{pair.form_slug}/uploads", {"field": "plan"},
                                name, plan_pdf(number), "application/pdf")  # fmt: skip
        if upload.status != 201:
            raise SystemExit(f"upload {number}: HTTP {upload.status}: {upload.text[:500]}")
        answers = {**ANSWERS, "topic": f"Versammlung {number}", "plan": [upload.json()["id"]]}
        answer = browser.post_json(f"/api/v1/forms/{pair.form_slug}/submissions",
                                   {"data": answers})  # fmt: skip
        if answer.status != 201:
            raise SystemExit(f"application {number}: HTTP {answer.status}: {answer.text[:500]}")


def wait_until_accepted(pair: Pair, count: int) -> list[list[Any]]:
    deadline = time.monotonic() + 120 + PATIENCE_PER_APPLICATION * count
    while True:
        state = pair.sender.django(SENT)
        if len(state["rows"]) == count:
            return state["rows"]
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(state['rows'])} of {count} accepted in time; "
                             f"{state['open']} open\n{pair.logs()}")  # fmt: skip
        print(f"  {len(state['rows'])} of {count} accepted …", file=sys.stderr)
        time.sleep(2)


def row(what: str, spans: list[tuple[float, float]]) -> tuple[str, int, float, float, float]:
    durations = [end - start for start, end in spans]
    cuts = statistics.quantiles(durations, n=100) if len(durations) > 1 else durations * 99
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    return (what, 1, cuts[49] * 1000, cuts[94] * 1000, len(spans) / elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=40,
                        help="applications sent (default 40)")  # fmt: skip
    add_smoke_option(parser)
    args = parser.parse_args()
    count = 3 if args.smoke else args.applications
    print("setting up two installations …", file=sys.stderr)
    with two_installations(postgres_server(), {"RATHAUS_LOG_LEVEL": "WARNING"}) as pair:
        print(f"applying {count} times at Barleben …", file=sys.stderr)
        apply(pair, count)
        sent = wait_until_accepted(pair, count)
        received = {entry[0]: entry for entry in pair.receiver.django(RECEIVED)}
    spans_sent = [(float(created), float(at)) for _, created, at, _ in sent]
    spans_received = [(float(received[str(uuid)][1]), float(received[str(uuid)][2]))
                      for uuid, *_ in sent]  # fmt: skip
    spans_total = [(float(created), float(settled)) for _, created, _, settled in sent]
    rows = [
        row("sent (encrypt, announce, upload, submit)", spans_sent),
        row("received (decrypt, check, case, accept event)", spans_received),
        row("end to end (outbox to verified accept)", spans_total),
    ]
    print_table(
        "Exchange between two installations",
        rows,
        f"{count} applications with a 30 kB PDF each, RSA 2048 keys, one worker and "
        "gunicorn with 2 workers per installation, both on this machine",
    )
    # the table rounds to whole requests per second; the exchange is slower than that
    print("Applications per second: " + ", ".join(f"{what.split(' (')[0]} {rate:.2f}"
                                                  for what, *_, rate in rows))  # fmt: skip


if __name__ == "__main__":
    main()

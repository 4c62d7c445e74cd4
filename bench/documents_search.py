#!/usr/bin/env python3
"""Searching the e-file with 100,000 documents, and writing stored files.

Migrates a fresh database (a new SQLite file, or the empty PostgreSQL database named by
RATHAUS_DATABASE_URL, as scripts/with_postgres.py provides), generates ``--documents``
documents of German administrative text (80 to 250 words each, words drawn with a Zipf-like
frequency) in 1,000 files of ten units straight into the tables, in bulk, so that the database's
triggers fill the search index, and times ``documents.search.search`` — the code behind the
search page — for a clerk of five of the ten units over ``--queries`` queries of several kinds
(common and rare words, two words, prefixes, phrases, file numbers, senders, no hit). Then
``--blobs`` files of 20 kB are written with ``core.files.store_bytes`` to the file system and
to an S3 bucket of moto's server on loopback.
Prints Markdown tables (p50, p95, per second).

    .venv/bin/python bench/documents_search.py [--documents 100000] [--queries 600]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/documents_search.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from common import add_smoke_option, fresh_database, print_table

SEED = 20261206
UNITS = 10
FILES = 1_000
BATCH = 2_000

PARTS = [
    "Bau", "Gebühren", "Abwasser", "Straßen", "Grundstücks", "Gewerbe", "Hunde", "Melde",
    "Friedhofs", "Kita", "Schul", "Feuerwehr", "Wasser", "Sondernutzungs", "Park", "Lärm",
    "Vergnügungs", "Zweitwohnungs", "Ordnungs", "Bürger", "Haushalts", "Vermessungs", "Wohn",
    "Einwohner", "Personal", "Denkmal", "Spiel", "Sport", "Markt", "Jagd",
]  # fmt: skip
HEADS = [
    "antrag", "bescheid", "genehmigung", "erlaubnis", "satzung", "steuer", "gebühr", "verfahren",
    "akte", "anmeldung", "abmeldung", "widerspruch", "stellungnahme", "vertrag", "anhörung",
    "beschwerde", "verfügung", "nachweis", "prüfung", "plan", "zuschuss", "rechnung",
]  # fmt: skip
WORDS = [
    "der", "die", "das", "und", "in", "zu", "den", "mit", "von", "für", "auf", "ist", "im",
    "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "werden", "aus", "er", "hat",
    "dass", "sie", "nach", "wird", "bei", "einer", "um", "am", "sind", "noch", "wie", "einem",
    "über", "einen", "so", "zum", "war", "haben", "nur", "oder", "aber", "vor", "zur", "bis",
    "Sehr", "geehrte", "Damen", "Herren", "freundlichen", "Grüßen", "hiermit", "beantrage",
    "bitte", "Frist", "Eingang", "Unterlagen", "Gemeinde", "Verwaltung", "Bürgermeister",
    "Ortschaftsrat", "Grundstück", "Flurstück", "Gemarkung", "Eigentümer", "Mieter", "Anlage",
    "Zahlung", "Betrag", "Euro", "Konto", "Überweisung", "Mahnung", "Säumniszuschlag",
    "Rechtsbehelfsbelehrung", "Monat", "Bekanntgabe", "schriftlich", "Niederschrift",
    "Beschluss", "Sitzung", "Gemeinderat", "Ausschuss", "Vorlage", "Tagesordnung", "Carport",
    "Garage", "Zaun", "Hecke", "Baum", "Fällung", "Straße", "Gehweg", "Radweg", "Beleuchtung",
    "Parkplatz", "Spielplatz", "Friedhof", "Grabstätte", "Nutzungsrecht", "Verlängerung",
    "Kindertagesstätte", "Betreuungsplatz", "Elternbeitrag", "Ermäßigung", "Einkommen",
    "Nachweise", "Hund", "Rasse", "Halter", "Steuermarke", "Veranstaltung", "Straßenfest",
    "Ausschank", "Lautstärke", "Nachtruhe", "Ruhestörung", "Anwohner", "Beschwerde", "Prüfung",
    "Ergebnis", "Ortstermin", "Besichtigung", "Foto", "Lageplan", "Bauzeichnung", "Statik",
    "Bauherr", "Architekt", "Abstandsfläche", "Nachbar", "Zustimmung", "Unterschrift",
    "Vollmacht", "Akteneinsicht", "Datenschutz", "Auskunft", "Löschung", "Aufbewahrung",
    "Ablehnung", "Bewilligung", "Auflage", "Bedingung", "Widerruf", "Frist", "verlängert",
    "Rückfrage", "Telefon", "E-Mail", "Sprechzeiten", "Zimmer", "Rathaus", "Barleben",
    "Ebendorf", "Meitzendorf", "Magdeburg", "Sachsen-Anhalt", "Landkreis", "Börde",
]  # fmt: skip
SURNAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
]  # fmt: skip


def vocabulary() -> tuple[list[str], list[float]]:
    """Words with Zipf-like weights: function words first, then the office's nouns, then the
    compounds (rare ones are what people search for)."""
    compounds = [part + head for part in PARTS for head in HEADS]
    words = WORDS + compounds
    return words, [1.0 / (rank + 1) ** 0.9 for rank in range(len(words))]


def generate(count: int, smoke: bool) -> dict[str, Any]:
    """The documents, in bulk, and a clerk who may see five of the ten units."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from rathaus.core.models import Authority, Membership, OrgUnit, StoredFile
    from rathaus.documents.models import Document, File, Subject, Version

    rng = random.Random(SEED)  # noqa: S311 (generated test data)
    words, weights = vocabulary()
    authority = Authority.objects.create(slug="bench", name="Bench", kind="gemeinde", state="ST")
    units = [OrgUnit.objects.create(authority=authority, slug=f"unit-{n}", name=f"Amt {n}")
             for n in range(UNITS)]  # fmt: skip
    subject = Subject.objects.create(authority=authority, code="32.10", title="Ordnung",
                                     retention_years=10)  # fmt: skip
    role, _ = Group.objects.get_or_create(name="Sachbearbeitung")
    clerk = get_user_model().objects.create(username="bench-clerk", is_staff=True)
    for unit in units[:5]:
        Membership.objects.create(user=clerk, org_unit=unit, role=role)
    stored = StoredFile.objects.create(
        name="brief.pdf", media_type="application/pdf", size=20_000, sha256="0" * 64, key="-"
    )
    files = File.objects.bulk_create(
        File(authority=authority, org_unit=units[n % UNITS], subject=subject,
             number=f"32.10/2026/{n:05d}", title=f"Akte {rng.choice(words[50:])}",
             origin=File.Origin.STAFF)
        for n in range(min(FILES, max(count // 10, 1)))
    )  # fmt: skip
    senders = [f"{rng.choice(['Anna', 'Karl', 'Erika', 'Jürgen', 'Petra'])} {name}"
               for name in SURNAMES]  # fmt: skip
    started, done = time.perf_counter(), 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            documents = Document.objects.bulk_create(
                Document(file=files[(done + n) % len(files)], kind=Document.Kind.LETTER,
                         direction=Document.Direction.INCOMING, sender=rng.choice(senders),
                         title=" ".join(rng.choices(words[50:], k=rng.randint(1, 3))))
                for n in range(size)
            )  # fmt: skip
            Version.objects.bulk_create(
                Version(document=document, number=1, file=stored, filename="brief.pdf",
                        media_type="application/pdf", size=20_000, sha256="0" * 64,
                        text=" ".join(rng.choices(words, weights, k=rng.randint(80, 250))),
                        text_status=Version.TextStatus.DONE)
                for document in documents
            )  # fmt: skip
        done += size
        rate = done / (time.perf_counter() - started)
        print(f"  {done} documents ({rate:.0f}/s)", file=sys.stderr)
    return {"clerk": clerk, "files": files, "words": words, "senders": senders, "rng": rng}


def queries(data: dict[str, Any], count: int) -> dict[str, list[str]]:
    rng, words = data["rng"], data["words"]
    common, rare = words[50:90], words[-300:]
    kinds: dict[str, Callable[[], str]] = {
        "common word": lambda: rng.choice(common),
        "rare word": lambda: rng.choice(rare),
        "two words": lambda: f"{rng.choice(common)} {rng.choice(rare)}",
        "prefix (5 letters)": lambda: rng.choice(rare)[:5],
        "phrase": lambda: f'"{rng.choice(words[:50])} {rng.choice(common)}"',
        "file number": lambda: rng.choice(data["files"]).number,
        "sender": lambda: rng.choice(data["senders"]).split()[1],
        "no hit": lambda: f"Quatschwort{rng.randint(0, 10**6)}",
    }
    return {kind: [make() for _ in range(max(count // len(kinds), 1))]
            for kind, make in kinds.items()}  # fmt: skip


def time_searches(
    clerk: Any, by_kind: dict[str, list[str]]
) -> list[tuple[str, int, float, float, float]]:
    from rathaus.documents.search import search

    rows, everything = [], []
    for kind, texts in by_kind.items():
        search(clerk, texts[0], limit=21)  # warm the caches once per kind
        times = []
        for text in texts:
            started = time.perf_counter()
            search(clerk, text, limit=21)
            times.append(time.perf_counter() - started)
        everything += times
        rows.append((kind, 1, *percentiles(times), len(times) / sum(times)))
    rows.append(("all queries", 1, *percentiles(everything), len(everything) / sum(everything)))
    return rows


def percentiles(times: list[float]) -> tuple[float, float]:
    if len(times) < 2:
        return times[0] * 1000, times[0] * 1000
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return statistics.median(times) * 1000, cuts[18] * 1000


def time_blobs(count: int, where: str) -> tuple[str, int, float, float, float]:
    from rathaus.core.files import store_bytes

    rng = random.Random(SEED + len(where))  # noqa: S311 (generated test data)
    times = []
    for n in range(count):
        content = rng.randbytes(20_000)
        started = time.perf_counter()
        store_bytes(content, name=f"scan-{n}.pdf", media_type="application/pdf")
        times.append(time.perf_counter() - started)
    return (f"store_bytes, 20 kB, {where}", 1, *percentiles(times), count / sum(times))


def time_s3_blobs(count: int) -> tuple[str, int, float, float, float]:
    """The same writes into a bucket of moto's S3 server on loopback (boto3 over HTTP)."""
    import boto3
    from django.conf import settings
    from django.test import override_settings
    from moto.server import ThreadedMotoServer

    from rathaus.settings import s3_files_storage

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url, region, key, secret = f"http://{host}:{port}", "eu-central-1", "bench", "bench-secret"
        client = boto3.client("s3", endpoint_url=url, region_name=region,
                              aws_access_key_id=key, aws_secret_access_key=secret)  # fmt: skip
        client.create_bucket(Bucket="bench",
                             CreateBucketConfiguration={"LocationConstraint": region})  # fmt: skip
        files = s3_files_storage(bucket="bench", endpoint_url=url, region=region,
                                 access_key=key, secret_key=secret)  # fmt: skip
        with override_settings(STORAGES={**settings.STORAGES, "files": files}):
            return time_blobs(count, "S3 (moto on loopback)")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=800)
    parser.add_argument("--blobs", type=int, default=1_000)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.documents, args.queries, args.blobs = 300, 16, 10
    with fresh_database():
        print(f"generating {args.documents} documents …", file=sys.stderr)
        started = time.perf_counter()
        data = generate(args.documents, args.smoke)
        generated = time.perf_counter() - started
        print("searching …", file=sys.stderr)
        rows = time_searches(data["clerk"], queries(data, args.queries))
        print("writing stored files …", file=sys.stderr)
        blobs = [time_blobs(args.blobs, "file system"), time_s3_blobs(args.blobs)]
    print_table(
        "E-file search",
        rows,
        f"{args.documents} documents in {min(FILES, max(args.documents // 10, 1))} files of "
        f"{UNITS} units, generated and indexed in {generated:.0f} s; the clerk sees 5 units; "
        "`documents.search.search` in-process, 21 hits asked for, per second = one after another",
    )
    print_table("Stored files", blobs, f"{args.blobs} distinct files each, one after another")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The case inbox with a million cases on PostgreSQL: list, deep keyset pages, full-text search.

Sets up the Barleben demo in the (empty) PostgreSQL database that scripts/with_postgres.py
provides, generates ``--cases`` cases with their submissions straight into the tables with
COPY (progress on stderr, a summary at the end), starts ``rathaus serve`` (gunicorn) and
``rathaus worker`` in production mode on loopback and sends GET requests to the staff API
``/api/v1/cases`` — the inbox's query code behind a personal API key — with 1 and 16 concurrent
clients. Then the SQL that the same query code builds is timed alone, with one database
connection per client, to show the database's share. Prints Markdown tables (p50, p95, requests per
second). Only 127.0.0.1 is contacted; everything stops by itself.

    .venv/bin/python scripts/with_postgres.py -- \\
        .venv/bin/python bench/cases_inbox.py [--cases 1000000] [--requests 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from common import ROOT, add_smoke_option, measure, print_table, production_server

CHUNK = 50_000
CLIENTS = (1, 16)
SEED = 20261125

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Karla",
    "Leon", "Mia", "Noah", "Olga", "Paul", "Rosa", "Samuel", "Tilda", "Uwe", "Vera", "Willi",
    "Yvonne", "Zoe", "Ilse", "Karl", "Lena", "Max", "Erika", "Jürgen", "Sabine", "Thomas",
    "Petra", "Michael", "Andrea", "Stefan", "Monika", "Frank", "Heike", "Ralf",
]  # fmt: skip
SYLLABLES = [
    "bar", "ber", "bo", "dor", "el", "fa", "gen", "hal", "ker", "lin", "mar", "nau", "ot", "pe",
    "ri", "sa", "schu", "ten", "vo", "wer", "zim", "kle", "bran", "feld", "hof", "mann", "berg",
    "stein", "thal",
]  # fmt: skip
STREETS = [
    "Breiteweg", "Bahnhofstraße", "Lindenallee", "Schulstraße", "Kirchplatz",
    "Meitzendorfer Straße", "Ebendorfer Chaussee", "Am Anger", "Gartenweg", "Mühlenstraße",
    "Wiesenweg", "Feldstraße", "Rosenweg", "Birkenweg", "Ahornstraße", "Magdeburger Straße",
    "Forstweg", "Am Sportplatz", "Lessingstraße", "Goethestraße",
]  # fmt: skip
PLACES = [("39179", "Barleben"), ("39179", "Ebendorf"), ("39326", "Meitzendorf"),
          ("39340", "Haldensleben"), ("39326", "Wolmirstedt")]  # fmt: skip
HEADS = [
    "Straßen", "Spielplatz", "Friedhof", "Schul", "Kita", "Park", "Rad", "Bus", "Wasser",
    "Abwasser", "Müll", "Baum", "Brücken", "Sport", "Garten", "Feuerwehr", "Gehweg", "Laternen",
    "Hunde", "Fahrrad", "Wald", "Graben", "Markt", "Brunnen", "Denkmal", "Parkplatz", "Bahnhof",
    "Kirch", "Dorf", "Wiesen",
]  # fmt: skip
TAILS = [
    "laterne", "bank", "zaun", "schild", "weg", "platz", "beleuchtung", "reinigung", "gebühr",
    "antrag", "kontrolle", "schaden", "sperrung", "pflege", "genehmigung", "reparatur", "fest",
    "ordnung", "anlage", "halle",
]  # fmt: skip
FILLERS = [
    "bitte", "dringend", "seit", "Tagen", "kaputt", "gefährlich", "für", "Kinder", "gegenüber",
    "von", "Hausnummer", "neben", "der", "Einfahrt", "abends", "morgens", "wieder", "erneut",
    "gemeldet", "defekt", "verschmutzt", "zugewachsen", "beschädigt",
]  # fmt: skip


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- generating cases ----------------------------------------------------------------------------


def generate(count: int, spec_file: Path) -> None:
    """Generate ``count`` submissions and cases with COPY; write what the measurement needs."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from rathaus.cases.models import Case
    from rathaus.cases.search import search_document
    from rathaus.cases.services import _search_text
    from rathaus.core import api_tokens
    from rathaus.core.models import Membership, OrgUnit, Sequence
    from rathaus.core.sequences import scope
    from rathaus.forms.models import FormVersion, Submission

    if connection.vendor != "postgresql":
        raise SystemExit(
            "cases_inbox.py measures PostgreSQL: run it under scripts/with_postgres.py"
        )
    rng = random.Random(SEED)  # noqa: S311 - repeatable test data, not secrets
    staffed = {m.org_unit_id: m.user_id for m in Membership.objects.all()}
    units = list(OrgUnit.objects.filter(pk__in=staffed).select_related("authority"))
    weights = [8 if unit.slug == "buergerbuero" else 2 for unit in units]
    versions = list(
        FormVersion.objects.filter(published_at__isnull=False).select_related("definition")
    )
    if not units or not versions:
        raise SystemExit("no staffed units or published forms: load the demo first")
    names = [a + b for a in SYLLABLES for b in SYLLABLES if a != b]  # 870 family names
    compounds = [head + tail for head in HEADS for tail in TAILS]  # 600 topic words
    # A few topic words are everywhere, most are rare (Zipf), as in real case files.
    topic_weights = [1 / (rank + 1) for rank in range(len(compounds))]
    topics_used: Counter[str] = Counter()
    end = _now()
    start = end - datetime.timedelta(days=5 * 365)
    step = (end - start) / count
    started = time.perf_counter()
    submission_columns = [field.column for field in Submission._meta.concrete_fields]
    case_columns = [field.column for field in Case._meta.concrete_fields if field.column != "id"]
    with connection.cursor() as cursor:
        # Building the GIN index once at the end is much faster than updating it per row.
        cursor.execute("DROP INDEX IF EXISTS case_search_vector")
    raw = connection.connection  # psycopg, in autocommit mode: each COPY commits by itself
    if raw is None:
        raise SystemExit("no database connection")
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        submissions, cases = [], []
        unit_rows = rng.choices(units, weights, k=size)
        topic_rows = rng.choices(compounds, topic_weights, k=size)
        for offset in range(size):
            number_in_run = done + offset + 1
            moment = start + step * (done + offset)
            unit, topic, version = unit_rows[offset], topic_rows[offset], rng.choice(versions)
            topics_used[topic] += 1
            postal_code, place = rng.choice(PLACES)
            first, family = rng.choice(FIRST_NAMES), rng.choice(names).capitalize()
            words = " ".join(rng.choices(FILLERS, k=6))
            data = {
                "first_name": first, "family_name": family,
                "address": {"street": f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
                            "postal_code": postal_code, "place": place},
                "subject": f"{topic.capitalize()} {place}",
                "message": f"{topic.capitalize()} {words}. Gemeldet von {first} {family}.",
                "email": f"{first.lower()}.{family.lower()}@example.org",
            }  # fmt: skip
            year = moment.year
            reference = f"BAR-{year}-{number_in_run:07d}"
            code = unit.file_plan_code or unit.slug.upper()
            number = f"{code}-{year}-{number_in_run:07d}"
            age = end - moment
            if age > datetime.timedelta(days=120):
                status = "closed" if rng.random() < 0.97 else "decided"
            else:
                status = rng.choice(["new", "in_progress", "in_progress", "waiting", "closed"])
            assignee = staffed[unit.pk] if status != "new" else None
            submission_id = uuid.uuid4()
            text = _search_text(
                SimpleNamespace(reference=reference, form_version=version, data=data)  # type: ignore[arg-type]
            )
            submissions.append(
                (submission_id, reference, unit.authority_id, None, version.pk, json.dumps(data),
                 None, "none", "web", data["email"], moment, None, "", "")
            )  # fmt: skip
            cases.append(
                (number, unit.authority_id, unit.pk, submission_id, version.title[:200], None,
                 status, assignee, "normal", None, "", moment, moment,
                 moment + datetime.timedelta(days=9) if status == "closed" else None,
                 search_document(number, text))
            )  # fmt: skip
        with raw.cursor() as cursor:
            sql = "COPY {} ({}) FROM STDIN"
            with cursor.copy(sql.format("cases_submission", ", ".join(submission_columns))) as copy:
                for row in submissions:
                    copy.write_row(row)
            with cursor.copy(sql.format("cases_case", ", ".join(case_columns))) as copy:
                for row in cases:
                    copy.write_row(row)
        done += size
        rate = done / (time.perf_counter() - started)
        _log(f"  {done:>9,} cases ({rate:,.0f} per second)")
    copied = time.perf_counter() - started
    _log("building the full-text index and the statistics …")
    index_started = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("CREATE INDEX case_search_vector ON cases_case USING gin (search_vector)")
        index_seconds = time.perf_counter() - index_started
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_submission")
    # The counters go past the generated numbers, so cases opened later get new numbers.
    for year in range(start.year, end.year + 1):
        for unit in units:
            Sequence.objects.update_or_create(scope=scope("case", unit.pk, year),
                                              defaults={"value": count + 1})  # fmt: skip
        for authority_id in {unit.authority_id for unit in units}:
            Sequence.objects.update_or_create(scope=scope("reference", authority_id, year),
                                              defaults={"value": count + 1})  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case')), "
                       "pg_size_pretty(pg_relation_size('case_search_vector')), "
                       "pg_size_pretty(pg_total_relation_size('cases_submission'))")  # fmt: skip
        case_size, index_size, submission_size = cursor.fetchone()
    clerk = get_user_model().objects.get(username="buergerbuero")
    spec = _measurement_spec(clerk, topics_used, count)
    spec["key"] = api_tokens.create(clerk, "Benchmark", 30).key
    spec_file.write_text(json.dumps(spec))
    _log(
        f"generated {count:,} cases and submissions in {copied:.0f} s "
        f"({count / copied:,.0f} per second), full-text index in {index_seconds:.0f} s; "
        f"cases table {case_size} (GIN index {index_size}), submissions {submission_size}"
    )


def _measurement_spec(clerk: Any, topics: Counter[str], count: int) -> dict[str, Any]:
    """The clerk's view: how many cases, cursors at several depths, words of every frequency."""
    from rathaus.cases.access import visible_cases
    from rathaus.cases.staff_views import InboxQuery, cursor_for, inbox_queryset

    query = InboxQuery(view="alle", status="", form="", assignee="", since=None, until=None,
                       text="", sort="neueste", after=None)  # fmt: skip
    cases = inbox_queryset(clerk, query)
    visible = visible_cases(clerk).count()
    open_cases = inbox_queryset(clerk, InboxQuery(**{**query.__dict__, "view": "bereich"})).count()
    cursors = {}
    for depth in (1_000, 10_000, 100_000, visible - 100):
        if 0 < depth < visible:
            cursors[depth] = cursor_for(cases.only("created_at", "id")[depth])
    if not cursors and visible > 1:  # a tiny data set (--smoke): one page halfway down
        cursors[visible // 2] = cursor_for(cases.only("created_at", "id")[visible // 2])
    ranked = topics.most_common()
    common, _n = ranked[0]
    # A tiny data set (--smoke) may have no word of these frequencies: take what there is.
    middle = next((word for word, n in ranked if n <= count / 200), ranked[len(ranked) // 2][0])
    rare = next((word for word, n in reversed(ranked) if n >= 3), ranked[-1][0])
    newest = cases.only("number").first()
    return {
        "visible": visible, "open": open_cases, "cursors": cursors,
        "words": {"common": [common, topics[common]], "middle": [middle, topics[middle]],
                  "rare": [rare, topics[rare]]},
        "number": newest.number if newest else "",
    }  # fmt: skip


# --- measuring ------------------------------------------------------------------------------------


def scenarios(spec: dict[str, Any]) -> list[tuple[str, list[dict[str, str]]]]:
    """What to ask for, as query parameters of /api/v1/cases, with a label for the table."""
    words = spec["words"]
    deep = [{"view": "all", "cursor": cursor} for cursor in spec["cursors"].values()]
    common, middle, rare = words["common"][0], words["middle"][0], words["rare"][0]
    return [
        ("first page, open cases of my unit", [{}]),
        ("first page, all cases of my unit", [{"view": "all"}]),
        ("deep keyset pages (1,000 to all rows deep)", deep),
        (f"search, common word ({words['common'][1]:,} cases)", [{"view": "all", "q": common}]),
        (f"search, medium word ({words['middle'][1]:,} cases)", [{"view": "all", "q": middle}]),
        (f"search, rare word ({words['rare'][1]:,} cases)", [{"view": "all", "q": rare}]),
        ("search, two words and a prefix",
         [{"view": "all", "q": f"{common} {PLACES[2][1][:6]}"}]),
        ("search, case number", [{"view": "all", "q": spec["number"]}]),
    ]  # fmt: skip


def measure_queries(spec_file: Path, requests: int, allow_empty: bool = False) -> None:
    """The database's share: the SQL of the inbox query code, one connection per client.

    Each request's SQL is built once by the same code the API uses (``inbox_queryset`` with the
    API's related tables and deferred columns; for a search this includes turning the words into
    a tsquery). Only running it and fetching the page is timed, over psycopg connections of
    their own, so Python's object building does not hide what the database does.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
    import django

    django.setup()
    import psycopg
    from django.contrib.auth import get_user_model
    from django.db import connection

    import rathaus.api  # noqa: F401 - the API module first, as the URLconf loads it
    from rathaus.cases.api import SORTS, VIEWS
    from rathaus.cases.staff_views import LIST_DEFERRED, InboxQuery, inbox_queryset, parse_cursor

    spec = json.loads(spec_file.read_text())
    clerk = get_user_model().objects.get(username="buergerbuero")

    def compiled(params: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        query = InboxQuery(
            view=VIEWS[params.get("view", "unit")], status="", form="", assignee="",
            since=None, until=None, text=params.get("q", ""), sort=SORTS["newest"],
            after=parse_cursor(params.get("cursor", "")),
        )  # fmt: skip
        cases = (
            inbox_queryset(clerk, query)
            .select_related(
                "authority", "org_unit", "assignee", "submission__form_version__definition"
            )
            .defer(*LIST_DEFERRED)[:26]
        )
        return cases.query.sql_with_params()

    settings = connection.settings_dict
    dsn = (f"host={settings['HOST']} port={settings['PORT']} dbname={settings['NAME']} "
           f"user={settings['USER']}")  # fmt: skip
    local = threading.local()

    def run(statement: tuple[str, tuple[Any, ...]]) -> float:
        if not hasattr(local, "connection"):
            local.connection = psycopg.connect(dsn, autocommit=True,
                                               cursor_factory=psycopg.ClientCursor)  # fmt: skip
        began = time.perf_counter()
        with local.connection.cursor() as cursor:
            cursor.execute(*statement)
            rows = cursor.fetchall()
        if not rows and not allow_empty:  # a tiny data set (--smoke) may have empty pages
            raise RuntimeError(f"no rows for {statement[0][:80]}")
        return time.perf_counter() - began

    table = []
    for label, variants in scenarios(spec):
        statements = [compiled(params) for params in variants]
        for clients in CLIENTS:
            for statement in statements:
                run(statement)  # warm up
            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                work = [statements[n % len(statements)] for n in range(requests)]
                durations = list(pool.map(run, work))
            elapsed = time.perf_counter() - began
            cuts = statistics.quantiles(durations, n=100)
            table.append((label, clients, cuts[49] * 1000, cuts[94] * 1000, requests / elapsed))
            _log(f"database: {label} with {clients} client(s) done")
    print_table("Inbox queries in the database", table, f"{requests} queries per row")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="step")
    generating = sub.add_parser("generate", help="only generate (used by the benchmark itself)")
    generating.add_argument("--cases", type=int, required=True)
    generating.add_argument("--spec", type=Path, required=True)
    querying = sub.add_parser("queries", help="only time the query code (used by the benchmark)")
    querying.add_argument("--spec", type=Path, required=True)
    querying.add_argument("--requests", type=int, required=True)
    querying.add_argument("--allow-empty", action="store_true", help="empty pages are no error")
    parser.add_argument("--cases", type=int, default=1_000_000, help="how many cases to generate")
    parser.add_argument("--requests", type=int, default=400, help="requests per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.requests, args.workers = 200, 4, 1
    if args.step == "generate":
        generate(args.cases, args.spec)
        return
    if args.step == "queries":
        measure_queries(args.spec, args.requests, args.allow_empty)
        return
    if not os.environ.get("RATHAUS_DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("run it under scripts/with_postgres.py: this benchmark is for PostgreSQL")
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-cases-") as folder:
        spec_file = Path(folder) / "spec.json"
        script = str(Path(__file__).resolve())

        def prepare(env: dict[str, str]) -> None:
            _log(f"generating {args.cases:,} cases …")
            subprocess.run([sys.executable, script, "generate", "--cases", str(args.cases),
                            "--spec", str(spec_file)], env=env, cwd=ROOT, check=True)  # fmt: skip

        rows = []
        with production_server([["demo-data"]], args.workers, keep_database_url=True,
                               prepare=prepare) as port:  # fmt: skip
            spec = json.loads(spec_file.read_text())
            headers = {"Authorization": f"Bearer {spec['key']}"}
            for label, variants in scenarios(spec):
                paths = [f"/api/v1/cases?{urlencode(params)}" for params in variants]
                for clients in CLIENTS:
                    _log(f"{label} with {clients} client(s) …")
                    rows.append(
                        (label, clients, *measure(port, paths, clients, args.requests, headers))
                    )
            _log(f"the clerk sees {spec['visible']:,} cases, {spec['open']:,} of them open")
            print_table(
                f"Case inbox, {args.cases:,} cases: staff API `/api/v1/cases`",
                rows,
                f"gunicorn with {args.workers} workers, {args.requests} requests per row",
            )
            subprocess.run([sys.executable, script, "queries", "--spec", str(spec_file),
                            "--requests", str(args.requests),
                            *(["--allow-empty"] if args.smoke else [])],
                           cwd=ROOT, check=True)  # fmt: skip


if __name__ == "__main__":
    main()

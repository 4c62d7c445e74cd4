"""``rathaus import-oparl`` against a real HTTP server process serving OParl fixtures
(tests/data/oparl-import): a full walk, an incremental run with a deleted object, and the bad
input the issue names — a 500 then success, invalid JSON, objects without id or name, a next
link that leads back, an answer slower than the timeout, an address the network rules refuse."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rathaus.core.models import AuditEvent
from rathaus.council import models as council
from rathaus.council.oparl_import import ACTION
from rathaus.council.oparl_import.values import BERLIN
from tests.factories import AuthorityFactory
from tests.support import DATA, ROOT, free_port

SERVER = Path(__file__).with_name("oparl_server.py")


class Server:
    def __init__(self, port: int, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = log

    def requests(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    log = tmp_path_factory.mktemp("oparl") / "requests.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(SERVER), str(DATA / "oparl-import"), str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/good/system", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    message = f"the OParl test server did not start: {log.read_text()}"
                    raise RuntimeError(message) from None
                time.sleep(0.1)
        yield Server(port, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def local(settings):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.RATHAUS_OPARL_IMPORT_TIMEOUT = 10
    settings.RATHAUS_OPARL_IMPORT_RETRIES = 1
    return settings


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_oparl", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def origin(server: Server, path: str) -> str:
    return f"{server.base}{path}"


@pytest.mark.django_db
def test_a_full_walk_imports_every_list_and_resolves_the_references(server, local):
    authority = AuthorityFactory(slug="musterstadt")
    out, err = run(f"{server.base}/good/system", "--authority", "musterstadt")

    body = council.Body.objects.get(authority=authority)
    assert body.name == "Gemeinderat Musterstadt"
    assert body.origin == origin(server, "/good/body/1")
    assert council.Organization.objects.filter(body=body).count() == 3  # both pages
    committee = council.Organization.objects.get(origin=origin(server, "/good/organization/2"))
    assert committee.sub_organization_of.name == "Gemeinderat"
    assert str(committee.modified.isoformat()).startswith("2026-03-02T09:00:00")  # source's date
    membership = council.Membership.objects.get(origin=origin(server, "/good/membership/2"))
    assert (membership.person.name, membership.organization.name) == ("Otto Probe", "Bauausschuss")
    assert membership.on_behalf_of.name == "Fraktion Bürgerliste"
    meeting = council.Meeting.objects.get(body=body)
    assert meeting.meeting_state == "durchgeführt"
    assert meeting.location.street_address == "Marktplatz 1"
    assert meeting.invitation.external_access_url == origin(server, "/good/file/1/access")
    assert sorted(meeting.participants.values_list("name", flat=True)) == [
        "Erika Beispiel", "Otto Probe"]  # fmt: skip
    assert list(meeting.agenda_items.values_list("number", "name")) == [
        ("1", "Eröffnung und Begrüßung"), ("2", "Radweg an der Kreisstraße")]  # fmt: skip
    paper = council.Paper.objects.get(reference="BV-0081/2026")
    assert paper.main_file.text == "Der Gemeinderat beschließt den Radweg."
    assert list(paper.related_papers.values_list("reference", flat=True)) == ["IV-0012/2026"]
    consultation = paper.consultations.get()
    assert (consultation.agenda_item.number, consultation.meeting) == ("2", meeting)
    assert (consultation.authoritative, consultation.role) == (True, "Entscheidung")
    assert council.LegislativeTerm.objects.get(body=body).name == "Wahlperiode 2024–2029"
    assert "Organization: 3 created, 0 updated, 0 unchanged, 0 deleted, 0 skipped" in out
    assert "Import complete." in out
    assert f"page {server.base}/good/organizations-2: 1 objects" in err  # progress on stderr
    entry = AuditEvent.objects.get(action=ACTION, authority=authority)
    assert entry.details["complete"]
    assert entry.details["counts"]["Paper"]["created"] == 2


@pytest.mark.django_db
def test_an_incremental_run_asks_for_what_changed_and_marks_deleted_objects(server, local):
    AuthorityFactory(slug="musterstadt")
    run(f"{server.base}/good/system", "--authority", "musterstadt")
    before = len(server.requests())

    out, _err = run(f"{server.base}/good/system", "--authority", "musterstadt")

    asked = server.requests()[before:]
    lists = [line for line in asked if "/good/papers" in line]
    assert lists
    assert all("modified_since=" in line for line in lists)
    changed = council.Paper.objects.get(origin=origin(server, "/good/paper/1"))
    assert changed.name == "Radweg an der Kreisstraße (geändert)"
    gone = council.Paper.objects.get(origin=origin(server, "/good/paper/2"))
    assert (gone.deleted, gone.name) == (True, "Digitale Sitzungsunterlagen")
    assert "Paper: 0 created, 1 updated, 0 unchanged, 1 deleted, 0 skipped" in out
    assert council.Organization.objects.count() == 3  # nothing else touched

    out, _err = run(f"{server.base}/good/system", "--authority", "musterstadt", "--full")
    assert "Organization: 0 created, 0 updated, 3 unchanged" in out


@pytest.mark.django_db
def test_a_quirky_1_0_server_is_read_as_meant_and_what_cannot_be_kept_is_reported(server, local):
    authority = AuthorityFactory(slug="altdorf")
    out, err = run(f"{server.base}/quirks/body", "--authority", "altdorf")

    body = authority.council_body
    # the 500 was asked again and then answered
    assert "answer 500, asking again" in err
    meeting = council.Meeting.objects.get(body=body)
    assert meeting.meeting_state == "durchgeführt"
    assert meeting.start.astimezone(BERLIN).isoformat() == "2019-12-04T17:00:00+01:00"  # German
    assert meeting.end is None  # before its start: left out, noted
    assert list(meeting.organizations.values_list("name", flat=True)) == ["Stadtrat"]
    item = meeting.agenda_items.get()  # only given inside the meeting
    assert (item.name, item.public) == ("Ö 1", True)
    invitation = meeting.invitation
    assert (invitation.name, invitation.size, str(invitation.date)) == (
        "einladung.pdf", 2048, "2019-11-28")  # fmt: skip
    term = council.LegislativeTerm.objects.get(body=body)
    assert str(term.start_date) == "2019-11-01"
    person = council.Person.objects.get(body=body)
    assert (person.name, person.title) == ("Anna Muster", ["Dr."])
    assert person.memberships.get().organization.name == "Stadtrat"
    assert council.Organization.objects.get(name="Stadtrat").keyword == ["rat"]
    # an early-1.0 list that names its objects only: each was asked for
    location = council.Location.objects.get(body=body)
    assert (location.description, location.postal_code) == ("Rathaus Altdorf, Sitzungssaal", "6110")
    assert council.Organization.objects.get(name="Hauptausschuss").organization_type == "Sonstiges"
    # reported: the object without id, the one without name, the unknown type, invalid JSON,
    # the next link back to the first page
    assert "skipped 1 Person: the object has no id" in out
    assert f"skipped 1 Person: the object has no name — e.g. {server.base}/quirks/person/2" in out
    assert "ignored 1 objects of the unknown type Wahlbezirk" in out
    assert f"not read: {server.base}/quirks/papers: the answer is not valid JSON" in out
    assert "the next link repeats an address already read" in out
    assert "end: before the start" in out
    assert "Import incomplete" in out
    assert not council.Paper.objects.exists()


@pytest.mark.django_db
def test_an_answer_slower_than_the_timeout_is_reported_and_the_rest_imported(server, local):
    local.RATHAUS_OPARL_IMPORT_TIMEOUT = 1
    AuthorityFactory(slug="langsam")
    out, _err = run(f"{server.base}/slow/body", "--authority", "langsam")

    assert f"not read: {server.base}/slow/organizations: No answer in time." in out
    assert council.Person.objects.get().name == "Paul Geduld"
    assert not council.Organization.objects.exists()


@pytest.mark.django_db
def test_an_incomplete_run_does_not_count_as_the_last_one(server, local):
    local.RATHAUS_OPARL_IMPORT_TIMEOUT = 1
    AuthorityFactory(slug="langsam")
    run(f"{server.base}/slow/body", "--authority", "langsam")
    before = len(server.requests())
    local.RATHAUS_OPARL_IMPORT_TIMEOUT = 10
    run(f"{server.base}/slow/body", "--authority", "langsam")
    assert not any("modified_since" in line for line in server.requests()[before:])
    assert council.Organization.objects.get().name == "Rat"


@pytest.mark.django_db
def test_a_page_limit_stops_the_walk_with_a_report(server, local):
    AuthorityFactory(slug="musterstadt")
    out, _err = run(f"{server.base}/good/system", "--authority", "musterstadt", "--max-pages", "4")
    assert "the limit of 4 pages was reached" in out
    assert "Import incomplete" in out


@pytest.mark.django_db
def test_nothing_readable_fails_with_a_message_and_imports_nothing(server, local):
    AuthorityFactory(slug="musterstadt")
    with pytest.raises(CommandError, match=r"answered 404.*nothing was imported"):
        run(f"{server.base}/nowhere", "--authority", "musterstadt")
    with pytest.raises(CommandError, match="neither an OParl System nor a Body"):
        run(f"{server.base}/good/persons", "--authority", "musterstadt")
    assert not council.Body.objects.exists()


@pytest.mark.django_db
def test_a_local_address_is_refused_unless_its_network_is_allowed(server, settings):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = []
    AuthorityFactory(slug="musterstadt")
    with pytest.raises(CommandError, match="private or local network"):
        run(f"{server.base}/good/system", "--authority", "musterstadt")


@pytest.mark.django_db
def test_a_body_whose_lists_cannot_be_read_ends_with_a_non_zero_status(server, local):
    AuthorityFactory(slug="kaputt")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_oparl", f"{server.base}/broken/body", "--authority", "kaputt",
                     stdout=out, stderr=err)  # fmt: skip
    assert exited.value.code == 1
    assert f"not read: {server.base}/broken/organizations: the server answered 404" in (
        out.getvalue()
    )
    assert f"not read: {server.base}/broken/persons: the answer is not valid JSON" in (
        out.getvalue()
    )
    assert "None of the body's lists could be read." in err.getvalue()

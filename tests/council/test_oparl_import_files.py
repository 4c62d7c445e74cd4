"""``rathaus import-oparl --files`` against a real HTTP server process whose answers each test
writes (and changes between runs): the contents are fetched after the objects are committed,
outside any transaction, so the portal can write meanwhile; the media type of a file with
content here is the checked one, never the source's claim; a file the source changes is fetched
and checked again. And answers that nest too deeply are reported, not a crash."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from rathaus.core.models import Authority, StoredFile
from rathaus.council import models as council
from rathaus.opendata import safe_http
from tests.factories import AuthorityFactory
from tests.support import ROOT, free_port, pdf, run_in_threads

pytestmark = pytest.mark.database  # a second connection writes while a file is fetched

SERVER = Path(__file__).with_name("oparl_server.py")
FILE = "https://schema.oparl.org/1.1/File"


class Source:
    """The OParl server's files for one test (``{base}`` becomes the server's address)."""

    def __init__(self, root: Path, base: str, case: str, log: Path) -> None:
        self.dir = root / case
        self.dir.mkdir()
        self.base = f"{base}/{case}"
        self.log = log

    def write(self, name: str, content: Any) -> None:
        path = self.dir / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content))

    def body(self, **lists: str) -> None:
        self.write("body.json", {
            "id": f"{{base}}/{self.dir.name}/body", "type": "https://schema.oparl.org/1.1/Body",
            "name": "Gemeinderat Musterstadt",
            **{prop: f"{{base}}/{self.dir.name}/{path}" for prop, path in lists.items()},
        })  # fmt: skip

    def file(self, content: bytes, name: str = "einladung.pdf", **extra: Any) -> None:
        """The source's one file: its content at ``/<case>/<name>`` and its object."""
        self.write(name, content)
        self.write("files.json", {"data": [{
            "id": f"{{base}}/{self.dir.name}/file/1", "type": FILE, "name": "Einladung",
            "fileName": name, "size": len(content),
            "sha1Checksum": hashlib.sha1(content).hexdigest(),  # noqa: S324
            "accessUrl": f"{{base}}/{self.dir.name}/{name}", **extra,
        }], "links": {}})  # fmt: skip

    def asked(self, suffix: str) -> int:
        return sum(1 for line in self.log.read_text().splitlines() if line.endswith(suffix))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    root = tmp_path_factory.mktemp("oparl-files")
    log = root.parent / f"{root.name}.log"
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, str(SERVER), str(root), str(port)],
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            except urllib.error.HTTPError:
                break  # it answers (404)
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the test server did not start: {log.read_text()}"
                    ) from None
                time.sleep(0.1)
        yield root, f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def source(server, request, settings) -> Source:
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.RATHAUS_OPARL_IMPORT_TIMEOUT = 10
    settings.RATHAUS_OPARL_IMPORT_RETRIES = 0
    root, base, log = server
    return Source(root, base, request.node.name, log)


def run(source: Source, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_oparl", f"{source.base}/body", "--authority", "musterstadt", *args,
                 stdout=out, stderr=err)  # fmt: skip
    return out.getvalue()


def the_file() -> council.File:
    return council.File.objects.select_related("stored").get()


@pytest.mark.django_db(transaction=True)
def test_files_are_fetched_outside_any_transaction_while_the_portal_writes(source, monkeypatch):
    AuthorityFactory(slug="musterstadt")
    source.body(file="files")
    source.file(pdf(content=b"BT /F1 12 Tf 72 720 Td (Einladung) Tj ET"))
    fetch = safe_http.fetch
    during: list[tuple[bool, list[BaseException]]] = []

    def fetch_and_write_meanwhile(url: str, **kwargs: Any) -> Any:
        if url.endswith(".pdf"):
            # another connection writes while the download is under way: with the import's
            # transaction still open, SQLite would refuse it ("database is locked")
            errors = run_in_threads(lambda: Authority.objects.create(slug="nebenan",
                                                                     name="Nebenan"))  # fmt: skip
            during.append((connection.in_atomic_block, errors))
        return fetch(url, **kwargs)

    monkeypatch.setattr(safe_http, "fetch", fetch_and_write_meanwhile)
    out = run(source, "--files")

    assert during == [(False, [])]
    assert Authority.objects.filter(slug="nebenan").exists()
    file = the_file()
    assert file.stored is not None
    assert file.stored.media_type == "application/pdf"
    assert "Einladung" in file.text
    assert "file contents: 1 stored" in out


@pytest.mark.django_db
def test_a_re_import_never_takes_the_sources_media_type_for_checked_content(source):
    AuthorityFactory(slug="musterstadt")
    source.body(file="files")
    content = pdf()
    source.file(content)  # no mimeType at the source
    run(source, "--files")
    stored = the_file().stored
    assert the_file().mime_type == "application/pdf"  # the checked type

    # the source now claims HTML for the same content: it stays what was checked
    source.file(content, mimeType="text/html")
    out = run(source, "--full", "--files")

    file = the_file()
    assert (file.mime_type, file.stored) == ("application/pdf", stored)
    assert "File: 0 created, 0 updated, 1 unchanged" in out
    assert "file contents: 1 unchanged" in out
    assert source.asked("/einladung.pdf") == 1  # not fetched again
    run(source, "--full")  # without --files too
    assert the_file().mime_type == "application/pdf"


@pytest.mark.django_db
def test_a_file_changed_at_the_source_is_fetched_and_checked_again(source):
    AuthorityFactory(slug="musterstadt")
    source.body(file="files")
    source.file(pdf(content=b"BT /F1 12 Tf 72 720 Td (Entwurf) Tj ET"))
    run(source, "--files")
    first = the_file().stored

    # new content: the size and checksum change
    source.file(pdf(content=b"BT /F1 12 Tf 72 720 Td (Beschlossen) Tj ET"))
    out = run(source, "--full", "--files")

    file = the_file()
    assert file.stored != first
    assert "Beschlossen" in file.text
    assert not StoredFile.objects.filter(pk=first.pk).exists()  # let go
    assert "file contents: 1 stored" in out

    # then HTML at another address, claimed as such: refused, nothing of it is kept
    source.file(b"<html><script>alert(1)</script></html>", name="einladung.html",
                mimeType="text/html")  # fmt: skip
    out = run(source, "--full", "--files")

    file = the_file()
    assert file.stored is None
    assert file.text == ""
    assert file.external_access_url == f"{source.base}/einladung.html"
    assert "file contents: 1 refused" in out
    assert not StoredFile.objects.exists()


@pytest.mark.django_db
def test_a_changed_address_lets_the_content_go_even_without_files(source):
    AuthorityFactory(slug="musterstadt")
    source.body(file="files")
    content = pdf()
    source.file(content)
    run(source, "--files")
    source.file(content, name="neu.pdf")

    out = run(source, "--full")

    assert the_file().stored is None  # no longer known to be the source's content
    assert "File: 0 created, 1 updated" in out
    out = run(source, "--full", "--files")  # the next run with --files fetches it
    assert the_file().stored.sha256 == hashlib.sha256(content).hexdigest()
    assert "file contents: 1 stored" in out


@pytest.mark.django_db
def test_a_file_that_cannot_be_fetched_keeps_its_addresses_and_is_tried_again(source):
    AuthorityFactory(slug="musterstadt")
    source.body(file="files")
    content = pdf()
    source.file(content)
    (source.dir / "einladung.pdf").unlink()

    out = run(source, "--files")

    assert "file contents: 1 not fetched" in out
    assert "the server answered 404" in out
    assert the_file().external_access_url == f"{source.base}/einladung.pdf"
    source.write("einladung.pdf", content)
    out = run(source, "--files")  # asks only for what changed: nothing; the file is still due
    assert "file contents: 1 stored" in out
    assert the_file().stored is not None


def nested(depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = {"id": f"{{base}}/x/organization/{depth}", "name": f"Ebene {depth}",
                             "type": "https://schema.oparl.org/1.1/Organization"}  # fmt: skip
    for level in range(depth - 1, 0, -1):
        inner = {"id": f"{{base}}/x/organization/{level}", "name": f"Ebene {level}",
                 "type": "https://schema.oparl.org/1.1/Organization",
                 "subOrganizationOf": inner}  # fmt: skip
    return inner


@pytest.mark.django_db
def test_deeply_nested_answers_and_long_texts_are_reported_not_a_crash(source):
    AuthorityFactory(slug="musterstadt")
    source.body(paper="papers", organization="organizations", person="persons",
                locationList="locations")  # fmt: skip
    source.write("papers.json", "[" * 100_000 + "]" * 100_000)
    source.write("organizations.json", {"data": [nested(40)], "links": {}})
    deep: Any = [11.6, 52.2]
    for _ in range(60):
        deep = [deep]
    source.write("locations.json", {"data": [{
        "id": "{base}/x/location/1", "type": "https://schema.oparl.org/1.1/Location",
        "description": "Rathaus", "geojson": {"type": "Point", "coordinates": deep},
    }], "links": {}})  # fmt: skip
    source.write("persons.json", {"data": [{
        "id": "{base}/x/person/1", "type": "https://schema.oparl.org/1.1/Person",
        "givenName": "G" * 100, "familyName": "F" * 100,
    }, {
        "id": "{base}/x/person/2", "type": "https://schema.oparl.org/1.1/Person",
        "name": "N" * 1000, "formOfAddress": "Frau " * 40,
    }, {
        "id": "{base}/x/person/" + "3" * 500, "type": "https://schema.oparl.org/1.1/Person",
        "name": "Zu lang",
    }], "links": {}})  # fmt: skip

    out = run(source)

    assert f"not read: {source.base}/papers: the answer is not valid JSON" in out
    assert "skipped 1 ?: objects given inside each other more than 12 deep" in out
    assert council.Organization.objects.count() == 13  # the outer levels are kept
    location = council.Location.objects.get()
    assert (location.description, location.geojson) == ("Rathaus", None)
    assert "geojson: nested more than 12 deep" in out
    served = source.base.rsplit("/", 1)[0]
    names = dict(council.Person.objects.values_list("origin", "name"))
    assert len(names[f"{served}/x/person/1"]) == 200
    assert names[f"{served}/x/person/2"] == "N" * 200
    assert council.Person.objects.get(origin=f"{served}/x/person/2").form_of_address == (
        ("Frau " * 40)[:50].strip()
    )
    assert "skipped 1 Person: the id is longer than 500 characters" in out
    assert not council.Person.objects.filter(name="Zu lang").exists()
    assert "Import incomplete" in out

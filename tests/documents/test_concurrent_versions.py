"""Two clerks upload a new version of the same document at the same moment: both are kept."""

from __future__ import annotations

from functools import partial

import pytest

from rathaus.core import files
from rathaus.documents import services
from rathaus.documents.models import Document, FileEvent
from tests.factories import FileFactory, UserFactory
from tests.support import run_in_threads

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


@pytest.mark.django_db(transaction=True)
def test_concurrent_new_versions_are_both_kept_one_after_the_other():
    file = FileFactory()
    first = services.NewContent(files.store_bytes(b"v1", name="a.txt", media_type="text/plain"))
    document = services.add_document(
        file, first, title="Brief", kind=Document.Kind.LETTER,
        direction=Document.Direction.OUTGOING,
    )  # fmt: skip
    clerks = [UserFactory(), UserFactory()]
    contents = [
        services.NewContent(files.store_bytes(text, name="b.txt", media_type="text/plain"))
        for text in (b"from clerk one", b"from clerk two")
    ]

    def upload(n: int) -> None:
        services.add_version(document, contents[n], user=clerks[n], reason=f"clerk {n}")

    assert run_in_threads(partial(upload, 0), partial(upload, 1), together=True) == []

    versions = list(document.versions.order_by("number"))
    assert [version.number for version in versions] == [1, 2, 3]
    assert {version.file.read_bytes() for version in versions[1:]} == {
        b"from clerk one", b"from clerk two"
    }  # fmt: skip
    assert FileEvent.objects.filter(file=file, kind="version_added").count() == 2

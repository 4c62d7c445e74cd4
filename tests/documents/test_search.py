"""Searching the e-file on both databases: the index kept by triggers, permissions, safe queries."""

from __future__ import annotations

import pytest

from rathaus.documents import search
from rathaus.documents.models import File, Version
from tests.factories import DocumentFactory, FileFactory, OrgUnitFactory, VersionFactory
from tests.support import clerk_of

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def document_with_text(text: str, unit=None, **fields):
    file = FileFactory(org_unit=unit) if unit else FileFactory()
    document = DocumentFactory(file=file, **fields)
    VersionFactory(document=document, text=text, text_status=Version.TextStatus.DONE)
    return document


@pytest.fixture
def unit():
    return OrgUnitFactory()


@pytest.fixture
def clerk(unit):
    return clerk_of(unit, "sachbearbeitung")


def test_a_word_of_the_text_finds_the_document_with_the_word_marked_in_context(unit, clerk):
    document = document_with_text(
        "Wir bitten um Prüfung der Sondernutzungserlaubnis für das Straßenfest am Markt.", unit
    )
    document_with_text("Ein ganz anderes Schreiben über Hundesteuer.", unit)

    [hit] = search.search(clerk, "Sondernutzung")

    assert (hit.document_id, hit.file_id, hit.title) == (document.pk, document.file_id,
                                                          document.title)  # fmt: skip
    assert hit.file_number == document.file.number
    assert hit.version == 1
    assert "<mark>Sondernutzungserlaubnis</mark>" in hit.snippet
    assert "Straßenfest" in hit.snippet


def test_file_number_title_and_sender_are_found(unit, clerk):
    document = document_with_text("", unit, title="Widerspruch Gebührenbescheid",
                                  sender="Erika Mustermann")  # fmt: skip
    number = document.file.number

    assert [hit.document_id for hit in search.search(clerk, number)] == [document.pk]
    assert [hit.document_id for hit in search.search(clerk, "gebührenbescheid")] == [document.pk]
    assert [hit.document_id for hit in search.search(clerk, "Mustermann")] == [document.pk]


def test_all_words_must_match_and_quotes_make_a_phrase(unit, clerk):
    both = document_with_text("Antrag auf Erteilung einer Baugenehmigung", unit)
    document_with_text("Baugenehmigung erteilt, kein Antrag", unit)

    assert len(search.search(clerk, "antrag baugenehmigung")) == 2
    assert [hit.document_id for hit in search.search(clerk, '"Erteilung einer"')] == [both.pk]


def test_the_index_follows_new_versions_renames_moves_and_deletions(unit, clerk):
    document = document_with_text("Erste Fassung mit Zaunhöhe", unit)
    VersionFactory(document=document, number=2, text="Zweite Fassung mit Heckenschnitt",
                   text_status=Version.TextStatus.DONE)  # fmt: skip

    assert search.search(clerk, "Zaunhöhe") == []
    [hit] = search.search(clerk, "Heckenschnitt")
    assert hit.version == 2

    File.objects.filter(pk=document.file_id).update(number="99.01/2026/7777")
    document.title = "Nachbarschaftsstreit"
    document.save()
    [hit] = search.search(clerk, "99.01/2026/7777 Nachbarschaftsstreit")
    assert hit.file_number == "99.01/2026/7777"

    document.versions.all().delete()
    assert search.search(clerk, "Heckenschnitt") == []
    document.delete()
    assert search.search(clerk, "Nachbarschaftsstreit") == []


def test_a_version_whose_text_is_not_read_yet_is_found_once_it_is(unit, clerk):
    document = DocumentFactory(file=FileFactory(org_unit=unit), title="Eingang")
    version = VersionFactory(document=document)
    assert search.search(clerk, "Feuerwehrzufahrt") == []

    Version.objects.filter(pk=version.pk).update(text="Die Feuerwehrzufahrt ist frei",
                                                 text_status=Version.TextStatus.DONE)  # fmt: skip

    assert [hit.document_id for hit in search.search(clerk, "feuerwehrzufahrt")] == [document.pk]


def test_another_units_documents_are_never_found(unit, clerk):
    document_with_text("Geheimhaltung Personalakte Schulze", OrgUnitFactory())
    below = OrgUnitFactory(authority=unit.authority, parent=unit)
    own = document_with_text("Personalakte Schulze", below)

    assert [hit.document_id for hit in search.search(clerk, "Personalakte")] == [own.pk]


def test_documents_of_destroyed_files_are_not_found(unit, clerk):
    document = document_with_text("Abrissverfügung", unit)
    File.objects.filter(pk=document.file_id).update(status=File.Status.DESTROYED)

    assert search.search(clerk, "Abrissverfügung") == []


def test_someone_without_a_unit_finds_nothing(unit):
    document_with_text("Abrissverfügung", unit)
    loner = clerk_of(OrgUnitFactory(), "anderswo")

    assert search.search(loner, "Abrissverfügung") == []


@pytest.mark.parametrize(
    "query",
    ['"', '""', "AND", "*", "NEAR(", "NEAR(a b", "a OR", "-", "'", "\\", "::", "a:*", "!(",
     "title:x", '"ein"*', "^x", "&|", "(", ")", "{}", "€ ß", "x" * 500, "und oder"],
)  # fmt: skip
def test_any_query_is_answered_without_an_error(unit, clerk, query):
    document_with_text("Und oder AND NEAR title x ein Text", unit)

    assert isinstance(search.search(clerk, query), list)


def test_operators_are_plain_words(unit, clerk):
    document = document_with_text("Ausbau der Radwege OR Gehwege", unit)

    assert [hit.document_id for hit in search.search(clerk, "Radwege OR")] == [document.pk]
    assert search.search(clerk, "Radwege NOT Gehwege") == []


def test_the_text_of_a_snippet_is_escaped(unit, clerk):
    document_with_text('<script>alert("x")</script> Kanalanschluss & Gebühr', unit)

    [hit] = search.search(clerk, "kanalanschluss")

    assert "<script>" not in hit.snippet  # PostgreSQL's headline drops tags, SQLite's escapes
    assert "<mark>Kanalanschluss</mark> &amp; Gebühr" in hit.snippet


def test_highlight_escapes_everything_but_its_own_marks():
    start, stop = search.START, search.STOP
    raw = f'<b>"x"</b> {start}<i>Wort</i>{stop} & {start}offen {stop}zu{start}'

    assert search.highlight(raw) == (
        "&lt;b&gt;&quot;x&quot;&lt;/b&gt; <mark>&lt;i&gt;Wort&lt;/i&gt;</mark> &amp; "
        "<mark>offen </mark>zu"
    )


def test_limit_and_offset_page_through_the_hits(unit, clerk):
    for number in range(5):
        document_with_text(f"Rundschreiben Nummer {number}", unit)

    first = search.search(clerk, "rundschreiben", limit=3)
    rest = search.search(clerk, "rundschreiben", limit=3, offset=3)

    assert len(first) == 3
    assert len(rest) == 2
    assert not {hit.document_id for hit in first} & {hit.document_id for hit in rest}


def test_parse_turns_input_into_plain_words_and_phrases():
    assert search.parse('Bauantrag "Antrag auf" 32.10-2026 NEAR( ab *') == [
        search.Term(("bauantrag",), prefix=True),
        search.Term(("antrag", "auf"), prefix=False),
        search.Term(("32", "10", "2026"), prefix=True),
        search.Term(("near",), prefix=True),
        search.Term(("ab",), prefix=False),
    ]


def test_a_word_found_everywhere_lists_the_newest_documents_first(unit, clerk, monkeypatch):
    monkeypatch.setattr(search, "RANKED_MAX", 2)
    documents = [document_with_text(f"Bekanntmachung Nummer {n}", unit) for n in range(4)]
    elsewhere = document_with_text("Bekanntmachung", OrgUnitFactory())

    hits = search.search(clerk, "bekanntmachung", limit=3)

    assert [hit.document_id for hit in hits] == [d.pk for d in reversed(documents)][:3]
    assert elsewhere.pk not in [hit.document_id for hit in search.search(clerk, "bekanntmachung")]
    assert "<mark>Bekanntmachung</mark>" in hits[0].snippet

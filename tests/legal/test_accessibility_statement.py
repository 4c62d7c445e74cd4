"""The accessibility statement says only what the browser tests check, and names the gaps."""

from __future__ import annotations

import dataclasses

from django.test import Client

from rathaus.legal import accessibility
from rathaus.legal.models import LegalTexts
from tests.factories import LegalTextsFactory, StoredFileFactory
from tests.support import ROOT


def test_every_page_the_statement_lists_as_checked_is_opened_by_its_browser_test():
    state = accessibility.project_state()
    assert state.covered
    for item in state.covered:
        module = ROOT / "tests" / "browser" / f"{item.test}.py"
        assert module.exists(), f"{item.page}: {module.name} does not exist"
        assert f'"{item.path}' in module.read_text(encoding="utf-8").replace('f"', '"'), (
            f"{item.page}: {module.name} never opens {item.path}"
        )


def test_the_state_is_partial_while_any_gap_is_known(db):
    texts = LegalTextsFactory(sign_language_video=StoredFileFactory(name="v.mp4"),
                              sign_language_captions=StoredFileFactory(name="v.vtt"))  # fmt: skip
    statement = accessibility.statement(texts)
    assert statement.gaps == accessibility.project_state().gaps
    assert statement.status == (accessibility.PARTIALLY if statement.gaps else accessibility.FULLY)
    assert dataclasses.replace(statement, gaps=()).status == accessibility.FULLY


def test_the_authority_s_own_gaps_are_listed(db):
    texts = LegalTextsFactory(easy_language="")
    titles = [gap.text for gap in accessibility.statement(texts).gaps]
    assert "Es gibt noch keine Erklärung in Leichter Sprache." in titles
    assert "Es gibt noch kein Video in Deutscher Gebärdensprache." in titles


def test_the_statement_page_shows_the_state_the_gaps_and_the_conciliation_body(barleben):
    html = Client().get("/barrierefreiheit/").content.decode()
    assert "teilweise vereinbar" in html
    for gap in accessibility.statement(LegalTexts.objects.get(authority=barleben)).gaps:
        assert gap.title in html
    assert "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz" in html
    assert "6. Dezember 2026" in html  # the date of the checks in the data file

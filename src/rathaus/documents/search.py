"""Searching the e-file: words in the documents' text, file numbers, titles and senders.

The index (migration ``documents/0002_fulltext``, ADR 0043) has one row per document with the
text of its newest read version; the database keeps it in step by triggers. SQLite searches it
with FTS5, PostgreSQL with a ``tsvector`` (German configuration) and a GIN index. Whatever
someone types becomes plain words here before it reaches the database: quotes make a phrase,
every other character separates words, so FTS5 or tsquery syntax in the input is never
interpreted and never an error. Words of three letters or more match as prefixes ("Bauan" finds
"Bauantrag"); all words must match. Up to ``RANKED_MAX`` matches the best come first, beyond
that the newest. Only documents of files the user may see are searched
(``access.visible_files``, in the same SQL statement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rathaus.documents import access
from rathaus.documents.models import File

MAX_QUERY = 200
"""Characters of a query that count."""
MAX_TERMS = 8
MAX_WORD = 40
RANKED_MAX = 5_000
"""Up to this many matches in the whole index, hits are ranked by relevance; beyond, the newest
documents come first (ranking tens of thousands of texts for a word that is everywhere costs
hundreds of milliseconds and orders them hardly better)."""
PREFIX_FROM = 3
"""Words this long or longer match as prefixes; shorter ones only whole."""
START, STOP = "\ue000", "\ue001"
"""Marks around matched words in snippets (private-use characters, removed from indexed text)."""

_TOKENS = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
_STRAY = re.compile(f"[{START}{STOP}]")
_GONE = (File.Status.DESTROYED, File.Status.HANDED_OVER)


@dataclass(frozen=True)
class Term:
    """One word or phrase to find; ``prefix``: its last word may continue."""

    words: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True)
class Hit:
    file_id: int
    file_number: str
    file_title: str
    document_id: int
    title: str
    version: int | None
    snippet: SafeString


def parse(query: str) -> list[Term]:
    """The words and phrases of a query, lower case, letters and digits only.

    ``"Antrag auf"`` is a phrase matched whole; ``32.10-2026-00017`` becomes the phrase of its
    parts; operators, brackets and stars are separators.
    """
    terms: list[Term] = []
    for quoted, bare in _TOKENS.findall(query[:MAX_QUERY]):
        words = tuple(word[:MAX_WORD] for word in _WORD.findall((quoted or bare).lower()))
        if not words:
            continue
        term = Term(words, prefix=not quoted and len(words[-1]) >= PREFIX_FROM)
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def fts5_query(terms: list[Term]) -> str:
    """The FTS5 MATCH expression: every term a quoted phrase (only letters and digits inside)."""
    return " ".join(f'"{" ".join(term.words)}"' + ("*" if term.prefix else "") for term in terms)


def tsquery(terms: list[Term]) -> str:
    """The text for ``to_tsquery``: phrases with ``<->``, prefixes with ``:*``, all with ``&``."""
    parts = []
    for term in terms:
        words = [f"'{word}'" for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


def highlight(snippet: str) -> SafeString:
    """The snippet as HTML: its text escaped, the matched words in ``<mark>``."""
    pieces = _MARKED.split(snippet)  # text, marked, text, marked, …, text
    html = "".join(
        f"<mark>{escape(piece)}</mark>" if index % 2 else escape(_STRAY.sub("", piece))
        for index, piece in enumerate(pieces)
    )
    return mark_safe(html)  # every piece escaped above


def _visible(user: Any) -> tuple[str, tuple[Any, ...]] | None:
    """SQL selecting the ids of the files the user may see, or None when there are none."""
    files = access.visible_files(user).exclude(status__in=_GONE).values("pk")
    try:
        sql, params = files.query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


_SQLITE = """
SELECT d.file_id, f.number, f.title, d.id, d.title, v.number,
       snippet(documents_search, -1, %s, %s, '…', 24)
FROM documents_search
JOIN documents_document d ON d.id = documents_search.rowid
JOIN documents_file f ON f.id = d.file_id
LEFT JOIN documents_version v ON v.id = documents_search.version_id
WHERE documents_search MATCH %s AND d.file_id IN ({visible})
ORDER BY {order}
LIMIT %s OFFSET %s
"""
_SQLITE_RANKED = "bm25(documents_search, 10.0, 5.0, 3.0, 1.0), documents_search.rowid DESC"
_SQLITE_NEWEST = "documents_search.rowid DESC"
_SQLITE_COUNT = (
    "SELECT count(*) FROM (SELECT rowid FROM documents_search "
    "WHERE documents_search MATCH %s LIMIT %s)"
)

_POSTGRES = """
WITH q AS (SELECT to_tsquery('german', %s) AS query),
top AS (
    SELECT s.document_id, {score} AS score
    FROM documents_search s, q
    WHERE s.vector @@ q.query AND s.document_id IN (
        SELECT d.id FROM documents_document d WHERE d.file_id IN ({visible}))
    ORDER BY score DESC, s.document_id DESC
    LIMIT %s OFFSET %s
)
SELECT d.file_id, f.number, f.title, d.id, d.title, v.number,
       ts_headline('german', s.body, q.query, %s)
FROM top
JOIN documents_search s ON s.document_id = top.document_id
JOIN documents_document d ON d.id = top.document_id
JOIN documents_file f ON f.id = d.file_id
LEFT JOIN documents_version v ON v.id = s.version_id
CROSS JOIN q
ORDER BY top.score DESC, top.document_id DESC
"""
_POSTGRES_RANKED = "ts_rank(s.vector, q.query)"
_POSTGRES_COUNT = (
    "SELECT count(*) FROM (SELECT 1 FROM documents_search "
    "WHERE vector @@ to_tsquery('german', %s) LIMIT %s) AS found"
)
_HEADLINE = (
    f'StartSel="{START}", StopSel="{STOP}", MaxWords=30, MinWords=12, MaxFragments=2, '
    'FragmentDelimiter=" … "'
)


def _few(cursor: Any, count_sql: str, words: str) -> bool:
    """Whether the whole index has at most ``RANKED_MAX`` matches (counting stops there)."""
    cursor.execute(count_sql, (words, RANKED_MAX + 1))
    return int(cursor.fetchone()[0]) <= RANKED_MAX


def search(user: Any, query: str, limit: int = 20, offset: int = 0) -> list[Hit]:
    """The documents matching ``query`` in the files ``user`` may see, best first."""
    terms = parse(query)
    visible = _visible(user)
    if not terms or visible is None or limit <= 0:
        return []
    visible_sql, visible_params = visible
    offset = max(offset, 0)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only constant SQL and the compiled permission subquery go into the text; the words
            # are bound parameters.
            words = tsquery(terms)
            ranked = _few(cursor, _POSTGRES_COUNT, words)
            sql = _POSTGRES.format(visible=visible_sql, score=_POSTGRES_RANKED if ranked else "0")
            params: tuple[Any, ...] = (words, *visible_params, limit, offset, _HEADLINE)
        else:
            words = fts5_query(terms)
            order = _SQLITE_RANKED if _few(cursor, _SQLITE_COUNT, words) else _SQLITE_NEWEST
            sql = _SQLITE.format(visible=visible_sql, order=order)
            params = (START, STOP, words, *visible_params, limit, offset)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Hit(file_id, number, file_title, document_id, title, version, highlight(snippet or ""))
        for file_id, number, file_title, document_id, title, version, snippet in rows
    ]

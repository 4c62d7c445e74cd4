"""Full-text search over the catalogue: one interface, SQLite FTS5 or PostgreSQL full text.

Both indexes hold the normalised words of ``Service.search_name`` (weighted high) and
``search_extra`` (synonyms, description, OZG service, life situation, laws). Every query word
of four letters or more matches as a prefix, shorter words must match whole. If not all words
match together, the largest groups of words that do match are used, longer words first. Query words
are reduced to letters and digits first, so search syntax (quotes, ``*``, ``NEAR``, ``-``) is
just text.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from django.db import connection

from rathaus.catalog.text import terms

MIN_TERM_LENGTH = 2
PREFIX_MIN = 4
MAX_TERMS = 8
MAX_HITS = 500


class QueryTooShort(ValueError):
    """The query has no word of at least two letters."""


@dataclass(frozen=True)
class Hit:
    service_id: int
    score: float


def query_terms(query: str) -> list[str]:
    words = [word for word in terms(query, drop_stopwords=True) if len(word) >= MIN_TERM_LENGTH]
    if not words:
        # A query of stop words only ("der die das") still searches for what was typed.
        words = [word for word in terms(query) if len(word) >= MIN_TERM_LENGTH]
    if not words:
        raise QueryTooShort("enter at least two letters")
    return list(dict.fromkeys(words))[:MAX_TERMS]


def search(query: str, limit: int = MAX_HITS) -> list[Hit]:
    """Service ids matching the query, best first."""
    words = query_terms(query)
    for size in range(len(words), 0, -1):
        groups = sorted(
            combinations(words, size), key=lambda group: -sum(len(word) for word in group)
        )
        hits: list[Hit] = []
        seen: set[int] = set()
        for group in groups:
            for hit in _run(list(group), limit=limit):
                if hit.service_id not in seen:
                    seen.add(hit.service_id)
                    hits.append(hit)
        if hits:
            return hits[:limit]
    return []


def _run(words: list[str], *, limit: int) -> list[Hit]:
    """Services that contain all the words."""
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" if len(word) >= PREFIX_MIN else word for word in words)
        sql = (
            "SELECT id, ts_rank(search_vector, q) AS score "
            "FROM catalog_service, to_tsquery('simple', %s) AS q "
            "WHERE search_vector @@ q ORDER BY score DESC, id LIMIT %s"
        )
        params: list[str | int] = [tsquery, limit]
    else:
        match = " AND ".join(
            f'"{word}"*' if len(word) >= PREFIX_MIN else f'"{word}"' for word in words
        )
        # bm25 is lower for better matches; the name column counts ten times the rest.
        sql = (
            "SELECT rowid, -bm25(catalog_service_fts, 10.0, 1.0) AS score "
            "FROM catalog_service_fts WHERE catalog_service_fts MATCH %s "
            "ORDER BY score DESC, rowid LIMIT %s"
        )
        params = [match, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Hit(int(row[0]), float(row[1])) for row in cursor.fetchall()]

"""Searching the council's papers: by reference, title and the text of their files.

Every word of the query must occur (case-insensitive ``icontains``, AND over the words) in the
paper's reference, its title, the text of its main file or the text of one of its further files
(``File.text``, read from the content; deleted files do not count). The further files are
searched with ``EXISTS`` subqueries, so a paper is found once however many of its files match,
and the number of queries does not depend on the number of hits. For a town's few thousand
papers a scan is fast enough on SQLite and PostgreSQL alike; SQLite folds only ASCII letters
(``Ä`` does not find ``ä``), PostgreSQL folds all.

``snippet`` shows where the words matched: a short piece of the text around the first hit,
escaped, the words marked with ``<mark>``.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rathaus.council.models import Paper

MAX_WORDS = 8
MAX_WORD_LENGTH = 100
SNIPPET_CHARS = 90


def words_of(query: str) -> list[str]:
    """The words to look for: at most ``MAX_WORDS``, each at most ``MAX_WORD_LENGTH`` long,
    without repeats."""
    words: list[str] = []
    for word in query.split():
        word = word[:MAX_WORD_LENGTH]
        if word.lower() not in (known.lower() for known in words):
            words.append(word)
    return words[:MAX_WORDS]


def matching(papers: QuerySet[Paper], words: list[str]) -> QuerySet[Paper]:
    through = Paper.auxiliary_files.through
    for word in words:
        in_further_files = Exists(
            through.objects.filter(
                paper_id=OuterRef("pk"), file__deleted=False, file__text__icontains=word
            )
        )
        papers = papers.filter(
            Q(reference__icontains=word)
            | Q(name__icontains=word)
            | Q(main_file__deleted=False, main_file__text__icontains=word)
            | in_further_files
        )
    return papers


def snippet(texts: list[str], words: list[str]) -> SafeString:
    """A piece of the first text in which a word occurs, around the first hit, escaped."""
    if not words:
        return mark_safe("")
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    for text in texts:
        hit = pattern.search(text or "")
        if hit is None:
            continue
        start = max(hit.start() - SNIPPET_CHARS // 2, 0)
        end = min(hit.end() + SNIPPET_CHARS, len(text))
        piece = " ".join(text[start:end].split())
        marked: list[str] = []
        position = 0
        for found in pattern.finditer(piece):
            marked.append(escape(piece[position : found.start()]))
            marked.append(f"<mark>{escape(found.group())}</mark>")
            position = found.end()
        marked.append(escape(piece[position:]))
        prefix = "… " if start > 0 else ""
        suffix = " …" if end < len(text) else ""
        return mark_safe(prefix + "".join(marked) + suffix)  # every piece is escaped
    return mark_safe("")

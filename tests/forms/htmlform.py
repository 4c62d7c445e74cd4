"""Reads a rendered HTML form the way a browser without JavaScript would submit it."""

from __future__ import annotations

from html.parser import HTMLParser

from django.http import QueryDict


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.inputs: list[dict[str, str | None]] = []
        self._select: str | None = None
        self._select_values: list[str] = []
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            self.inputs.append(attributes)
            kind = (attributes.get("type") or "text").lower()
            if kind in {"submit", "file", "button", "image", "reset"}:
                return
            if kind in {"radio", "checkbox"} and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
            self._select_values = []
            self._first_option = None
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in attributes:
                self._select_values.append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            chosen = self._select_values or ([self._first_option] if self._first_option else [""])
            self.fields.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops one newline directly after <textarea>.
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def form_fields(html: str) -> list[tuple[str, str]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.fields


def as_querydict(pairs: list[tuple[str, str]], **extra: str) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in pairs:
        query.appendlist(name, value)
    for name, value in extra.items():
        query[name] = value
    return query


def post_data(html: str, **extra: str) -> dict[str, list[str] | str]:
    """The fields of the page's form as a dict for Django's test client (lists for repeats)."""
    data: dict[str, list[str]] = {}
    for name, value in form_fields(html):
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(value)
    result: dict[str, list[str] | str] = {k: v if len(v) > 1 else v[0] for k, v in data.items()}
    result.update(extra)
    return result

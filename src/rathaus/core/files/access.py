"""Who may download a stored file: the apps that own files decide (ADR 0019).

Core does not know the apps above it, so each app that points to stored files registers one
rule per kind of owner in its ``AppConfig.ready()``: a function that says whether the request
may read the file because of a row of that app (the holder of a mailbox, the staff of a case,
the browser of a draft). The download view serves a file when any rule allows it and answers
404 otherwise, the same answer as for a file that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from rathaus.core.models import StoredFile

AccessRule = Callable[[HttpRequest, StoredFile], bool]

# Not a plugin registry (ADR 0015): every rule applies, none is chosen by configuration.
rules: dict[str, AccessRule] = {}


def register_owner(kind: str, rule: AccessRule) -> None:
    """Register the rule of one kind of owner, e.g. ``"accounts.MessageAttachment"``."""
    rules[kind] = rule


def may_download(request: HttpRequest, stored: StoredFile) -> bool:
    return any(rule(request, stored) for rule in rules.values())

"""Paths into form data (``children.0.name``) and their templates (``children.*.name``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

INDEX = re.compile(r"^\d+$")


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def template_of(path: str) -> str:
    return ".".join("*" if INDEX.match(part) else part for part in path.split(".")) if path else ""


def get_path(data: Any, path: str) -> Any:
    current = data
    for part in path.split(".") if path else []:
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and INDEX.match(part) and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    current: Any = data
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if isinstance(current, list):
            position = int(part)
            while len(current) <= position:
                current.append({})
            if not isinstance(current[position], dict | list):
                current[position] = {}
            current = current[position]
            continue
        child = current.get(part)
        if not isinstance(child, dict | list):
            child = [] if INDEX.match(following) else {}
            current[part] = child
        current = child
    last = parts[-1]
    if isinstance(current, list):
        position = int(last)
        while len(current) <= position:
            current.append({})
        current[position] = value
    else:
        current[last] = value


def delete_path(data: dict[str, Any], path: str) -> None:
    parent_path, _sep, last = path.rpartition(".")
    parent = get_path(data, parent_path) if parent_path else data
    if isinstance(parent, dict):
        parent.pop(last, None)


def path_of(parts: Iterable[Any]) -> str:
    return ".".join(str(part) for part in parts)

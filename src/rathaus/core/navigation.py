"""The portal's main navigation, contributed by the apps that are installed.

Each app registers its entry in its ``AppConfig.ready``; the menu shows an entry only when its
app is there, so the navigation never links to a page that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    order: int

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_items: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _items[item.key] = item


def items() -> list[NavItem]:
    return sorted(_items.values(), key=lambda item: item.order)

"""The portal's navigation, contributed by the apps that are installed.

Three lists, each filled by the apps in their ``AppConfig.ready``, so no menu links to a page
that does not exist:

- the citizens' main navigation (:func:`register`, :func:`items`);
- the staff navigation of the workspace under /verwaltung/ (:func:`register_staff`,
  :func:`staff_items`): each entry says who may see it, given the user and their memberships;
- the tasks of the start page (:func:`register_start_task`, :func:`start_tasks`): what people
  come to do, each with the address for the authority of the request, or none when the
  authority does not offer it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise

if TYPE_CHECKING:
    from rathaus.core.models import Authority, Membership


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


# --- staff ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffUser:
    """Who is asking: the user and their memberships (with unit, authority and role)."""

    user: Any
    memberships: Sequence[Membership] = ()

    @property
    def role_names(self) -> set[str]:
        return {membership.role.name for membership in self.memberships}


def in_a_unit(staff: StaffUser) -> bool:
    """Members of at least one unit: the areas where staff work on the authority's matters."""
    return bool(staff.memberships)


def anyone(staff: StaffUser) -> bool:
    return True


def manages(staff: StaffUser) -> bool:
    """Superusers, and heads and administrators of at least one unit (``roles.MANAGING``)."""
    from rathaus.core import roles

    return bool(staff.user.is_superuser or staff.role_names & set(roles.MANAGING))


@dataclass(frozen=True)
class StaffNavItem:
    key: str
    label: str | Promise
    url_name: str
    order: int
    permitted: Callable[[StaffUser], bool] = in_a_unit
    query: str = ""
    """Appended to the address (``ansicht=aufgaben``): a view of another entry's page."""

    @property
    def url(self) -> str:
        address = reverse(self.url_name)
        return f"{address}?{self.query}" if self.query else address


_staff_items: dict[str, StaffNavItem] = {}


def register_staff(item: StaffNavItem) -> None:
    _staff_items[item.key] = item


def staff_items(staff: StaffUser) -> list[StaffNavItem]:
    """The entries this member of staff may use, in order."""
    ordered = sorted(_staff_items.values(), key=lambda item: item.order)
    return [item for item in ordered if item.permitted(staff)]


def current_staff_item(entries: Sequence[StaffNavItem], path: str, query: str) -> str:
    """The key of the entry the page at ``path`` belongs to: the longest address that the path
    starts with; of entries with the same address, the one whose query the request has."""
    best, best_length, best_query = "", -1, False
    params = set(query.split("&")) if query else set()
    for item in entries:
        address = reverse(item.url_name)
        if not path.startswith(address):
            continue
        matches_query = bool(item.query) and set(item.query.split("&")) <= params
        if item.query and not matches_query:
            continue
        better = len(address) > best_length or (
            len(address) == best_length and matches_query and not best_query
        )
        if better:
            best, best_length, best_query = item.key, len(address), matches_query
    return best


# --- start page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartTask:
    """One thing people come to do, as a large link on the start page."""

    key: str
    label: str | Promise
    text: str | Promise
    order: int
    address: Callable[[Authority], str] = field(compare=False)
    """The address for this authority, or "" when it does not offer this."""


_start_tasks: dict[str, StartTask] = {}


def register_start_task(task: StartTask) -> None:
    _start_tasks[task.key] = task


def start_tasks(authority: Authority) -> list[tuple[StartTask, str]]:
    """The tasks the authority offers, with their addresses, in order."""
    found = []
    for task in sorted(_start_tasks.values(), key=lambda task: task.order):
        address = task.address(authority)
        if address:
            found.append((task, address))
    return found

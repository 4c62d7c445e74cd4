"""One typed registry for every extension point: one interface, several implementations by id.

Each extension point (virus scanners, login providers, BPMN service-task handlers, later exchange
transports and payment providers) creates one :class:`Registry` next to its interface, and each
app registers its implementations in its ``AppConfig.ready()``::

    scanners: Registry[ScannerFactory] = Registry("virus scanner", setting="RATHAUS_VIRUS_SCANNER")
    scanners.register("none", NoScanner, label=_("No virus scan"))

- An id registered twice by two different plugins stops the start with ``ImproperlyConfigured``
  naming both. Registering the *same* plugin (same module and qualified name) again replaces
  the entry quietly: ``ready()`` may run again in a test process, and a re-imported module
  makes new objects for the same definitions.
- :meth:`Registry.get` of an unknown id raises :class:`UnknownPlugin` naming the registered ids.
- A registry with a ``setting`` is checked at start (system check ``rathaus.E030``): the
  configured id must be registered.

Simple hooks that every app adds to and that nobody chooses by name (navigation entries,
housekeeping jobs, demo loaders, reply handlers) are lists, not plugin registries.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeAlias, TypeVar, overload

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

PluginT = TypeVar("PluginT")
StrOrPromise: TypeAlias = "str | Promise"


class UnknownPlugin(LookupError):
    """No plugin is registered under this id; the message names the registered ones."""


@dataclass(frozen=True)
class Entry(Generic[PluginT]):
    id: str
    plugin: PluginT
    label: StrOrPromise
    origin: str  # where the plugin is defined: module.qualname, for error messages


class _Missing:
    pass


_MISSING = _Missing()
# Weak, so that registries made by tests do not stay in the system check.
_REGISTRIES: weakref.WeakSet[Registry[Any]] = weakref.WeakSet()


def _origin(plugin: object) -> str:
    """``module.qualname`` of a function or class, or of an instance's class."""
    target: object = plugin if hasattr(plugin, "__qualname__") else type(plugin)
    name = f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', '?')}"
    code = getattr(target, "__code__", None)
    if code is not None:  # two lambdas of one module differ by their line
        name += f":{code.co_firstlineno}"
    return name


class Registry(Generic[PluginT]):
    """The plugins of one extension point, by id, in the order they were registered."""

    def __init__(self, name: str, *, setting: str = "") -> None:
        """``name`` reads well in messages ("virus scanner"); ``setting`` chooses one plugin."""
        self.name = name
        self.setting = setting
        self._entries: dict[str, Entry[PluginT]] = {}
        _REGISTRIES.add(self)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {', '.join(self._entries)}>"

    @overload
    def register(
        self, id: str, *, label: StrOrPromise | None = None
    ) -> Callable[[PluginT], PluginT]: ...

    @overload
    def register(
        self, id: str, plugin: PluginT, *, label: StrOrPromise | None = None
    ) -> PluginT: ...

    def register(
        self, id: str, plugin: PluginT | _Missing = _MISSING, *, label: StrOrPromise | None = None
    ) -> PluginT | Callable[[PluginT], PluginT]:
        """Register ``plugin`` under ``id``; without a plugin, return a decorator that does.

        The label shown in choices is ``label``, else the plugin's ``verbose_name``, else the id.
        """
        if isinstance(plugin, _Missing):

            def decorator(function: PluginT) -> PluginT:
                self._add(id, function, label)
                return function

            return decorator
        self._add(id, plugin, label)
        return plugin

    def _add(self, id: str, plugin: PluginT, label: StrOrPromise | None) -> None:
        if not id or id != id.strip():
            raise ImproperlyConfigured(f"{self.name} id {id!r} is empty or has spaces around it")
        if label is None:
            label = getattr(plugin, "verbose_name", None) or id
        entry = Entry(id=id, plugin=plugin, label=label, origin=_origin(plugin))
        existing = self._entries.get(id)
        if existing is not None and existing.origin != entry.origin:
            raise ImproperlyConfigured(
                f"The {self.name} {id!r} is registered twice: by {existing.origin} "
                f"and by {entry.origin}."
            )
        self._entries[id] = entry

    def get(self, id: str) -> PluginT:
        """The plugin registered under ``id``; :class:`UnknownPlugin` if there is none."""
        try:
            return self._entries[id].plugin
        except KeyError:
            raise UnknownPlugin(
                f"There is no {self.name} {id!r}; registered are: {self._listing()}."
            ) from None

    def label(self, id: str) -> StrOrPromise:
        self.get(id)
        return self._entries[id].label

    def ids(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def items(self) -> Iterator[tuple[str, PluginT]]:
        for id, entry in self._entries.items():
            yield id, entry.plugin

    def choices(self) -> list[tuple[str, StrOrPromise]]:
        """``(id, label)`` pairs for form and model field choices and configuration help."""
        return [(id, entry.label) for id, entry in self._entries.items()]

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._entries))

    def __contains__(self, id: object) -> bool:
        return id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    @contextmanager
    def override(self, id: str, plugin: PluginT) -> Iterator[None]:
        """Use ``plugin`` for ``id`` inside the block (tests that make a plugin fail)."""
        original = self._entries.get(id)
        base = original or Entry(id=id, plugin=plugin, label=id, origin=_origin(plugin))
        self._entries[id] = replace(base, plugin=plugin)
        try:
            yield
        finally:
            if original is None:
                del self._entries[id]
            else:
                self._entries[id] = original

    def check_setting(self) -> list[checks.CheckMessage]:
        """An error when the setting names an id that is not registered."""
        if not self.setting:
            return []
        configured = getattr(settings, self.setting, None)
        if configured in self._entries:
            return []
        return [
            checks.Error(
                f"{self.setting}={configured!r} names no registered {self.name}.",
                hint=f"Use one of: {self._listing()}.",
                obj=self.setting,
                id="rathaus.E030",
            )
        ]

    def _listing(self) -> str:
        return ", ".join(self._entries) or "(none)"


@checks.register()
def check_configured_plugins(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every plugin that the configuration chooses is registered (``rathaus.E030``)."""
    messages: list[checks.CheckMessage] = []
    for registry in sorted(_REGISTRIES, key=lambda registry: registry.name):
        messages.extend(registry.check_setting())
    return messages

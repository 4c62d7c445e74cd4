"""Rows that are written once: submissions, case events, notes, documents."""

from __future__ import annotations

from typing import Any

from django.db import models


class Immutable(models.Model):
    """A row that is written once; changing or deleting it through the ORM is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{type(self).__name__} records cannot be deleted one by one")

"""Field factories for references that mean the same in every app.

Each returns a new field, so a model keeps the place of the field where it declares it (the
order of the fields in forms and the admin) and the migrations see the same field as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def acting_user(verbose_name: StrOrPromise | None = None, *, blank: bool = True) -> Any:
    """The user who did something (decided, uploaded, confirmed, wrote): a record that outlives
    the user, so the reference becomes empty when the user is deleted; users get no accessor
    back to the rows."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
    )


_FILE = _("file")


def stored_file(verbose_name: StrOrPromise = _FILE, *, optional: bool = False) -> Any:
    """A file kept in :class:`rathaus.core.models.StoredFile`; the file cannot be deleted while a
    row names it, and files get no accessor back to the rows."""
    return models.ForeignKey(
        "core.StoredFile",
        verbose_name=verbose_name,
        null=optional,
        blank=optional,
        on_delete=models.PROTECT,
        related_name="+",
    )


def record_authority() -> Any:
    """The authority a record of the whole installation (an audit event, an e-mail) belongs to;
    empty for what belongs to none. An authority with such records cannot be deleted."""
    return models.ForeignKey(
        "core.Authority",
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

"""Field factories and an abstract model for what means the same in every app.

Each factory returns a new field, so a model keeps the place of the field where it declares it
(the order of the fields in forms and the admin) and the migrations see the same field as
before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

    from rathaus.core.models import Authority, StoredFile

_M = TypeVar("_M", bound=models.Model)


@overload
def optional_link(
    to: type[_M],
    verbose_name: StrOrPromise | None = None,
    *,
    related_name: str = "+",
    blank: bool = True,
    **options: Any,
) -> models.ForeignKey[_M | None, _M | None]: ...


@overload
def optional_link(
    to: str,
    verbose_name: StrOrPromise | None = None,
    *,
    related_name: str = "+",
    blank: bool = True,
    **options: Any,
) -> models.ForeignKey[Any, Any]: ...


def optional_link(
    to: type[models.Model] | str,
    verbose_name: StrOrPromise | None = None,
    *,
    related_name: str = "+",
    blank: bool = True,
    **options: Any,
) -> models.ForeignKey[Any, Any]:
    """A reference that may be empty and becomes empty when the row it names is deleted; the
    row that holds it stays. ``related_name`` "+" gives the other model no accessor back."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name=related_name,
        **options,
    )


def acting_user(
    verbose_name: StrOrPromise | None = None, *, blank: bool = True
) -> models.ForeignKey[User | None, User | None]:
    """The user who did something (decided, uploaded, confirmed, wrote): a record that outlives
    the user, so the reference becomes empty when the user is deleted; users get no accessor
    back to the rows."""
    return optional_link(settings.AUTH_USER_MODEL, verbose_name, blank=blank)


def _kept(to: str, verbose_name: StrOrPromise, *, optional: bool) -> models.ForeignKey[Any, Any]:
    """A reference that keeps the row it names: that row cannot be deleted while it is named,
    and it gets no accessor back."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=optional,
        blank=optional,
        on_delete=models.PROTECT,
        related_name="+",
    )


_FILE = _("file")


@overload
def stored_file(
    verbose_name: StrOrPromise = ..., *, optional: Literal[False] = ...
) -> models.ForeignKey[StoredFile, StoredFile]: ...


@overload
def stored_file(
    verbose_name: StrOrPromise = ..., *, optional: Literal[True]
) -> models.ForeignKey[StoredFile | None, StoredFile | None]: ...


def stored_file(
    verbose_name: StrOrPromise = _FILE, *, optional: bool = False
) -> models.ForeignKey[Any, Any]:
    """A file kept in :class:`rathaus.core.models.StoredFile`."""
    return _kept("core.StoredFile", verbose_name, optional=optional)


def record_authority() -> models.ForeignKey[Authority | None, Authority | None]:
    """The authority a record of the whole installation (an audit event, an e-mail) belongs to;
    empty for what belongs to none."""
    return _kept("core.Authority", _("authority"), optional=True)


class UploadRecord(models.Model):
    """A file someone sent that passed the checks and was kept (see
    :class:`rathaus.core.files.StoredUpload`): the stored file, its name as sent, its type, its
    size and its SHA-512, which FIT-Connect and the API report."""

    file = stored_file()
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha512 = models.CharField(_("SHA-512"), max_length=128)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

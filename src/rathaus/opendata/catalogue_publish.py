"""Publishing a dataset of the catalogue: what it must have first, and the dates it gets.

``missing`` is the one check that everything which publishes uses (the staff pages, the sync of
the platform's own datasets, an import): a list of German sentences, one per thing missing,
empty when the dataset may be published. What it asks for is what GovData needs to list a
dataset well under DCAT-AP.de: a title and a description, a publisher, a licence from the
DCAT-AP.de list, a category (theme), a contact and at least one distribution that can be
reached, each with an address and a format.

Publishing sets ``issued`` the first time and ``modified`` every time; withdrawing takes the
dataset off the public pages and the export again, without removing it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.opendata import catalogue_licences
from rathaus.opendata.catalogue_models import Dataset, Theme


def missing(dataset: Dataset) -> list[str]:
    """What ``dataset`` lacks before it may be published (German, one sentence per item)."""
    found: list[str] = []
    if not dataset.title.strip():
        found.append(_("The title is missing."))
    if not dataset.description.strip():
        found.append(_("The description is missing."))
    if not (dataset.publisher_name.strip() or dataset.authority.name.strip()):
        found.append(_("The publisher is missing."))
    if not dataset.licence:
        found.append(_("The licence is missing."))
    elif not catalogue_licences.known(dataset.licence):
        found.append(_("The licence is not one of the DCAT-AP.de licence list."))
    if not any(theme in Theme.values for theme in dataset.themes or []):
        found.append(_("At least one category (theme) is missing."))
    if not (dataset.contact_email or dataset.contact_url):
        found.append(_("A contact (e-mail address or web page) is missing."))
    start, end = dataset.temporal_start, dataset.temporal_end
    if start and end and end < start:
        found.append(_("The period covered ends before it starts."))
    distributions = list(dataset.distributions.all()) if dataset.pk else []
    if not distributions:
        found.append(_("At least one distribution (a file or an interface) is missing."))
    for distribution in distributions:
        name = distribution.title or _("without title")
        if not distribution.title.strip():
            found.append(_("A distribution has no title."))
        if not distribution.access_url:
            found.append(_("The distribution “%(name)s” has no address.") % {"name": name})
        if not (distribution.format or distribution.media_type):
            found.append(_("The distribution “%(name)s” has no format.") % {"name": name})
        if distribution.licence and not catalogue_licences.known(distribution.licence):
            found.append(
                _("The licence of the distribution “%(name)s” is not one of the DCAT-AP.de "
                  "licence list.") % {"name": name}
            )  # fmt: skip
    return found


class NotReady(Exception):
    """The dataset lacks what ``missing`` lists."""

    def __init__(self, items: list[str]) -> None:
        super().__init__("; ".join(items))
        self.items = items


def publish(dataset: Dataset) -> None:
    """Publish ``dataset`` (or record a new change of a published one): ``issued`` once,
    ``modified`` now. Raises ``NotReady`` with what is missing; the caller audits."""
    items = missing(dataset)
    if items:
        raise NotReady(items)
    now = timezone.now()
    dataset.status = Dataset.Status.PUBLISHED
    if dataset.issued is None:
        dataset.issued = now
    dataset.modified = now
    dataset.save(update_fields=["status", "issued", "modified", "updated_at"])


def withdraw(dataset: Dataset) -> None:
    """Take ``dataset`` off the public pages and the export; ``issued`` stays."""
    dataset.status = Dataset.Status.DRAFT
    dataset.save(update_fields=["status", "updated_at"])

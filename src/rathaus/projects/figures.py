"""What the platform measures itself, for the council paper and the public page: OZG
services fully online (the catalogue's implementation status), sensors that reported in the
last day (open data), and applications submitted online in the last twelve months. The
projects app sits above these apps in the layers (pyproject.toml), so it reads their models
and the catalogue's status function directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Q
from django.utils import timezone

from rathaus.core.models import Authority

SENSOR_FRESH = dt.timedelta(hours=24)
"""A datastream whose newest observation is younger than this counts as online."""


@dataclass(frozen=True)
class PlatformFigures:
    ozg_services: int
    ozg_online: int
    sensors: int
    sensors_online: int
    submissions_online_12_months: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def measure(authority: Authority, now: dt.datetime | None = None) -> PlatformFigures:
    from rathaus.catalog import dashboard
    from rathaus.forms.models import Channel, Submission
    from rathaus.opendata.models import Datastream

    now = now or timezone.now()
    status = dashboard.status(authority)
    streams = Datastream.objects.filter(
        Q(thing__authority=authority) | Q(thing__authority__isnull=True)
    )
    return PlatformFigures(
        ozg_services=status.totals.total,
        ozg_online=status.totals.online,
        sensors=streams.count(),
        sensors_online=streams.filter(latest__phenomenon_time__gte=now - SENSOR_FRESH).count(),
        submissions_online_12_months=Submission.objects.filter(
            authority=authority,
            channel__in=[Channel.WEB, Channel.API],
            submitted_at__gte=now - dt.timedelta(days=365),
        ).count(),
    )

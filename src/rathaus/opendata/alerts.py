"""Alerts: thresholds checked against the newest values, run by the worker every minute.

Not inside ``ingest.store`` (ADR 0061): storing stays fast, and one evaluation covers every
reading that came in since the last one. For each active threshold of a numeric datastream:

- the newest value (``LatestObservation``) is beyond the limit, and every value since the last
  one at or before ``newest - minutes`` is beyond it too → an alert is opened (one open alert per
  threshold, a database rule), starting with the first value of that run;
- an open alert whose newest value is within the limit again → ended at that value's time;
- an open alert that goes on → its last and most extreme value are kept up to date.

A threshold on a daily or annual mean (``Threshold.statistic``, ``rathaus.opendata.limits``)
compares the mean so far instead: beyond → an alert opens at the newest value's time; the mean
within again, or a new day (year) without values yet → it ends.

Opening and ending publish :class:`~rathaus.opendata.events.AlertRaised` /
:class:`~rathaus.opendata.events.AlertEnded` and queue e-mails to the confirmed subscribers of the
datastream's topic, all in the transaction that changes the alert.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from rathaus.core import events
from rathaus.opendata import limits, subscriptions
from rathaus.opendata.events import AlertEnded, AlertRaised
from rathaus.opendata.models import Alert, LatestObservation, Observation, Threshold

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What one evaluation did (shown in the worker's log)."""

    raised: int = 0
    ended: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.raised} raised, {self.ended} ended, {self.updated} updated"


def beyond(threshold: Threshold, value: float) -> bool:
    """True if ``value`` breaks the threshold (strictly above or below its limit)."""
    if threshold.direction == Threshold.Direction.BELOW:
        return value < threshold.value
    return value > threshold.value


def _normal(threshold: Threshold) -> Q:
    """Values within the threshold, as a filter on observations."""
    if threshold.direction == Threshold.Direction.BELOW:
        return Q(result_number__gte=threshold.value)
    return Q(result_number__lte=threshold.value)


def evaluate(now: datetime.datetime | None = None) -> Outcome:
    """Check every active threshold once; returns what changed."""
    outcome = Outcome()
    thresholds = Threshold.objects.filter(active=True).select_related(
        "datastream__thing__authority"
    )
    latest = {
        row.datastream_id: row
        for row in LatestObservation.objects.filter(
            datastream_id__in=thresholds.values("datastream_id"), result_number__isnull=False
        )
    }
    open_alerts = {
        alert.threshold_id: alert for alert in Alert.objects.filter(ended_at__isnull=True)
    }
    mean_of: dict[str, dict[int, limits.Mean]] = {
        statistic: limits.means(
            statistic,
            {t.datastream_id for t in thresholds if t.statistic == statistic},
            now,
        )
        for statistic in (Threshold.Statistic.DAILY_MEAN, Threshold.Statistic.ANNUAL_MEAN)
    }
    for threshold in thresholds:
        newest = latest.get(threshold.datastream_id)
        if newest is None or newest.result_number is None:
            continue
        try:
            if threshold.statistic == Threshold.Statistic.VALUE:
                _evaluate_one(threshold, newest, open_alerts.get(threshold.pk), outcome)
            else:
                mean = mean_of[threshold.statistic].get(threshold.datastream_id)
                _evaluate_mean(threshold, newest, mean, open_alerts.get(threshold.pk), outcome, now)
        except IntegrityError:
            # another worker opened the alert at the same moment; the next run sees it
            logger.info("alert of threshold %s opened elsewhere", threshold.pk)
    # Alerts of thresholds switched off end, so that nothing stays open for ever.
    for threshold_id, alert in open_alerts.items():
        if not any(threshold.pk == threshold_id for threshold in thresholds):
            _end(alert, now or timezone.now())
            outcome.ended += 1
    return outcome


def _evaluate_one(
    threshold: Threshold, newest: LatestObservation, alert: Alert | None, outcome: Outcome
) -> None:
    value = float(newest.result_number)  # type: ignore[arg-type]
    if alert is not None:
        if not beyond(threshold, value):
            _end(alert, newest.phenomenon_time)
            outcome.ended += 1
            return
        peak = _peak(threshold, alert.started_at, newest.phenomenon_time)
        if (alert.last_value, alert.peak) != (value, peak):
            Alert.objects.filter(pk=alert.pk).update(last_value=value, peak=peak)
            outcome.updated += 1
        return
    if not beyond(threshold, value):
        return
    started = _run_start(threshold, newest.phenomenon_time)
    if started is None:
        return
    _raise(threshold, started, value, _peak(threshold, started, newest.phenomenon_time))
    outcome.raised += 1


def _evaluate_mean(
    threshold: Threshold,
    newest: LatestObservation,
    mean: limits.Mean | None,
    alert: Alert | None,
    outcome: Outcome,
    now: datetime.datetime | None,
) -> None:
    """A threshold on the daily or annual mean so far."""
    if alert is not None:
        if mean is None:
            # a new day (year) began and has no values yet: the old period's mean ended with it
            start = limits.day_start if threshold.statistic == "day" else limits.year_start
            _end(alert, start(now or timezone.now()))
            outcome.ended += 1
        elif not beyond(threshold, mean.value):
            _end(alert, newest.phenomenon_time)
            outcome.ended += 1
        else:
            extreme = min if threshold.direction == Threshold.Direction.BELOW else max
            peak = extreme(alert.peak, mean.value)
            if (alert.last_value, alert.peak) != (mean.value, peak):
                Alert.objects.filter(pk=alert.pk).update(last_value=mean.value, peak=peak)
                outcome.updated += 1
        return
    if mean is not None and beyond(threshold, mean.value):
        _raise(threshold, newest.phenomenon_time, mean.value, mean.value)
        outcome.raised += 1


def _observations(threshold: Threshold) -> QuerySet[Observation]:
    return Observation.objects.filter(
        datastream_id=threshold.datastream_id, result_number__isnull=False
    )


def _run_start(threshold: Threshold, newest: datetime.datetime) -> datetime.datetime | None:
    """The time of the first value of the run of values beyond the threshold that ends with the
    newest value, if that run has lasted ``minutes``; else None."""
    window_start = newest - datetime.timedelta(minutes=threshold.minutes)
    observations = _observations(threshold)
    if threshold.minutes:
        # the value that held at the start of the window must be beyond the limit already
        anchor = (
            observations.filter(phenomenon_time_start__lte=window_start)
            .order_by("-phenomenon_time_start", "-id")
            .values_list("result_number", flat=True)
            .first()
        )
        if anchor is None or not beyond(threshold, anchor):
            return None
    if observations.filter(
        _normal(threshold),
        phenomenon_time_start__gt=min(window_start, newest),
        phenomenon_time_start__lte=newest,
    ).exists():
        return None
    last_normal = (
        observations.filter(_normal(threshold), phenomenon_time_start__lte=newest)
        .order_by("-phenomenon_time_start", "-id")
        .values_list("phenomenon_time_start", flat=True)
        .first()
    )
    first_beyond = observations.filter(phenomenon_time_start__lte=newest)
    if last_normal is not None:
        first_beyond = first_beyond.filter(phenomenon_time_start__gt=last_normal)
    return (
        first_beyond.order_by("phenomenon_time_start", "id")
        .values_list("phenomenon_time_start", flat=True)
        .first()
    )


def _peak(threshold: Threshold, start: datetime.datetime, end: datetime.datetime) -> float:
    extreme = Min if threshold.direction == Threshold.Direction.BELOW else Max
    found = (
        _observations(threshold)
        .filter(phenomenon_time_start__gte=start, phenomenon_time_start__lte=end)
        .aggregate(value=extreme("result_number"))["value"]
    )
    return float(found)


def _raise(threshold: Threshold, started: datetime.datetime, value: float, peak: float) -> None:
    datastream = threshold.datastream
    with transaction.atomic():
        alert = Alert.objects.create(
            threshold=threshold, started_at=started, peak=peak, last_value=value
        )
        events.publish(
            AlertRaised(
                alert_id=alert.pk,
                threshold_id=threshold.pk,
                datastream_id=datastream.pk,
                topic=datastream.topic,
                started_at=started,
                value=value,
                limit=threshold.value,
                direction=threshold.direction,
            )
        )
        subscriptions.notify(alert, raised=True)


def _end(alert: Alert, ended: datetime.datetime) -> None:
    with transaction.atomic():
        locked = (
            Alert.objects.select_for_update(of=("self",))
            .select_related("threshold__datastream__thing__authority")
            .filter(pk=alert.pk, ended_at__isnull=True)
            .first()
        )
        if locked is None:
            return
        locked.ended_at = max(ended, locked.started_at)
        locked.save(update_fields=["ended_at"])
        datastream = locked.threshold.datastream
        events.publish(
            AlertEnded(
                alert_id=locked.pk,
                threshold_id=locked.threshold_id,
                datastream_id=datastream.pk,
                topic=datastream.topic,
                started_at=locked.started_at,
                ended_at=locked.ended_at,
                peak=locked.peak,
            )
        )
        subscriptions.notify(locked, raised=False)


def run() -> str:
    """The housekeeping job (every minute)."""
    return str(evaluate())

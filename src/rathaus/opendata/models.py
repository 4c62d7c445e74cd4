"""The SensorThings API 1.1 data model (OGC 18-088), plus what the platform keeps beside it.

Entity names follow the standard; property names are the standard's in snake case
(``encodingType`` → ``encoding_type``). Times are stored as two columns where the standard has
an interval (``phenomenonTime`` → ``phenomenon_time_start``/``phenomenon_time_end``; an instant
has no end). Point geometries are also kept as ``longitude``/``latitude`` so that geospatial
filters and maps need no geometry extension in the database.

``Observation`` is the big table: on PostgreSQL it is partitioned by ``phenomenon_time_start``
(see the migration that partitions it); ``LatestObservation`` keeps the newest value of each
datastream so that dashboards never scan history.

The open data catalogue (datasets and distributions, DCAT-AP.de) is in
:mod:`rathaus.opendata.catalogue_models` and re-exported here.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from rathaus.opendata.catalogue_models import Dataset as Dataset
from rathaus.opendata.catalogue_models import Distribution as Distribution


class Topic(models.TextChoices):
    """The dashboards a datastream belongs to (``/daten/<topic>/``)."""

    AIR = "air", _("Air")
    GROUNDWATER = "groundwater", _("Groundwater")
    TRAFFIC = "traffic", _("Traffic")
    BUS = "bus", _("Bus")
    OTHER = "other", _("Other")


class Thing(models.Model):
    """A measuring station, gauge, counter or bus line: what carries sensors."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    properties = models.JSONField(_("properties"), null=True, blank=True)
    authority = models.ForeignKey(
        "core.Authority",
        verbose_name=_("authority"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="things",
        help_text=_("Whose portal shows it on its dashboards; empty: every portal."),
    )
    locations: models.ManyToManyField[Location, Any] = models.ManyToManyField(
        "Location", related_name="things", blank=True, verbose_name=_("locations")
    )

    class Meta:
        verbose_name = _("thing")
        verbose_name_plural = _("things")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    encoding_type = models.CharField(_("encoding type"), max_length=100)
    location = models.JSONField(_("location"))
    properties = models.JSONField(_("properties"), null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    latitude = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class HistoricalLocation(models.Model):
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="historical_locations")
    time = models.DateTimeField(_("time"))
    locations = models.ManyToManyField(Location, related_name="historical_locations")

    class Meta:
        verbose_name = _("historical location")
        verbose_name_plural = _("historical locations")
        ordering = ["id"]
        indexes = [models.Index(fields=["thing", "time"])]

    def __str__(self) -> str:
        return f"{self.thing_id} @ {self.time:%Y-%m-%d %H:%M}"


class Sensor(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    encoding_type = models.CharField(_("encoding type"), max_length=100)
    metadata = models.TextField(_("metadata"))
    properties = models.JSONField(_("properties"), null=True, blank=True)

    class Meta:
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ObservedProperty(models.Model):
    name = models.CharField(_("name"), max_length=200)
    definition = models.CharField(_("definition"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    properties = models.JSONField(_("properties"), null=True, blank=True)

    class Meta:
        verbose_name = _("observed property")
        verbose_name_plural = _("observed properties")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Datastream(models.Model):
    """A series of observations of one property by one sensor on one thing."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    observation_type = models.CharField(_("observation type"), max_length=200)
    unit_of_measurement = models.JSONField(_("unit of measurement"))
    observed_area = models.JSONField(_("observed area"), null=True, blank=True)
    phenomenon_time_start = models.DateTimeField(null=True, blank=True)
    phenomenon_time_end = models.DateTimeField(null=True, blank=True)
    result_time_start = models.DateTimeField(null=True, blank=True)
    result_time_end = models.DateTimeField(null=True, blank=True)
    properties = models.JSONField(_("properties"), null=True, blank=True)
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="datastreams")
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, related_name="datastreams")
    observed_property = models.ForeignKey(
        ObservedProperty, on_delete=models.PROTECT, related_name="datastreams"
    )
    # Beside the standard: the dashboard it belongs to, and whether its series was generated
    # for the demo (then every page that shows it says so).
    topic = models.CharField(_("topic"), max_length=20, choices=Topic, default=Topic.OTHER)
    demo = models.BooleanField(_("generated demo data"), default=False)

    class Meta:
        verbose_name = _("datastream")
        verbose_name_plural = _("datastreams")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MultiDatastream(models.Model):
    """A series whose results are arrays, one member per observed property (in order)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    observation_type = models.CharField(_("observation type"), max_length=200)
    multi_observation_data_types = models.JSONField(_("observation types of the members"))
    unit_of_measurements = models.JSONField(_("units of measurement"))
    observed_area = models.JSONField(_("observed area"), null=True, blank=True)
    phenomenon_time_start = models.DateTimeField(null=True, blank=True)
    phenomenon_time_end = models.DateTimeField(null=True, blank=True)
    result_time_start = models.DateTimeField(null=True, blank=True)
    result_time_end = models.DateTimeField(null=True, blank=True)
    properties = models.JSONField(_("properties"), null=True, blank=True)
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="multi_datastreams")
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, related_name="multi_datastreams")
    observed_properties: models.ManyToManyField[ObservedProperty, Any] = models.ManyToManyField(
        ObservedProperty, through="MultiDatastreamProperty", related_name="multi_datastreams"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic, default=Topic.OTHER)
    demo = models.BooleanField(_("generated demo data"), default=False)

    class Meta:
        verbose_name = _("multi-datastream")
        verbose_name_plural = _("multi-datastreams")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MultiDatastreamProperty(models.Model):
    """The observed property at one position of a multi-datastream's result array."""

    multi_datastream = models.ForeignKey(MultiDatastream, on_delete=models.CASCADE)
    observed_property = models.ForeignKey(ObservedProperty, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["multi_datastream", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["multi_datastream", "position"], name="opendata_mds_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.multi_datastream_id}[{self.position}]"


class FeatureOfInterest(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    encoding_type = models.CharField(_("encoding type"), max_length=100)
    feature = models.JSONField(_("feature"))
    properties = models.JSONField(_("properties"), null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    latitude = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("feature of interest")
        verbose_name_plural = _("features of interest")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Observation(models.Model):
    """One measured value. A number is kept in ``result_number`` (what charts, aggregates and
    ``$filter`` on results use); any other result (text, boolean, object, array of a
    multi-datastream) in ``result_json``. Exactly one of ``datastream``/``multi_datastream``."""

    id = models.BigAutoField(primary_key=True)
    datastream = models.ForeignKey(
        Datastream, on_delete=models.CASCADE, null=True, blank=True, related_name="observations"
    )
    multi_datastream = models.ForeignKey(
        MultiDatastream,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="observations",
    )
    feature_of_interest = models.ForeignKey(
        FeatureOfInterest, on_delete=models.PROTECT, null=True, blank=True,
        related_name="observations",
    )  # fmt: skip
    phenomenon_time_start = models.DateTimeField()
    phenomenon_time_end = models.DateTimeField(null=True, blank=True)
    result_time = models.DateTimeField(null=True, blank=True)
    result_number = models.FloatField(null=True, blank=True)
    result_json = models.JSONField(null=True, blank=True)
    result_quality = models.JSONField(null=True, blank=True)
    valid_time_start = models.DateTimeField(null=True, blank=True)
    valid_time_end = models.DateTimeField(null=True, blank=True)
    parameters = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["datastream", "phenomenon_time_start", "id"],
                name="opendata_obs_ds_time",
            ),
            models.Index(
                fields=["multi_datastream", "phenomenon_time_start", "id"],
                name="opendata_obs_mds_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Observation({self.pk})"


class LatestObservation(models.Model):
    """The newest observation of a datastream (by phenomenon time), kept on every write."""

    datastream = models.OneToOneField(
        Datastream, on_delete=models.CASCADE, primary_key=True, related_name="latest"
    )
    observation_id = models.BigIntegerField()
    phenomenon_time = models.DateTimeField()
    result_number = models.FloatField(null=True, blank=True)
    result_json = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("latest observation")
        verbose_name_plural = _("latest observations")

    def __str__(self) -> str:
        return f"{self.datastream_id} @ {self.phenomenon_time:%Y-%m-%d %H:%M}"


class Aggregate(models.Model):
    """Hourly and daily summaries of a numeric datastream, kept after raw data is removed."""

    class Period(models.TextChoices):
        HOUR = "hour", _("hour")
        DAY = "day", _("day")

    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="aggregates")
    period = models.CharField(max_length=4, choices=Period)
    start = models.DateTimeField()
    count = models.PositiveIntegerField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    total = models.FloatField(help_text="sum of the values; the mean is total / count")

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        ordering = ["datastream", "period", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["datastream", "period", "start"], name="opendata_aggregate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.datastream_id} {self.period} {self.start:%Y-%m-%d %H:%M}"


class Threshold(models.Model):
    """An alert rule: a value above (or below) ``value`` raises an alert.

    ``statistic`` says which value the limit applies to, as the law words it: each single value
    (beyond it for ``minutes``), the mean of the current day so far, or the mean of the current
    year so far (``rathaus.opendata.limits``).
    """

    class Direction(models.TextChoices):
        ABOVE = "above", _("above")
        BELOW = "below", _("below")

    class Statistic(models.TextChoices):
        VALUE = "value", _("single value")
        DAILY_MEAN = "day", _("daily mean")
        ANNUAL_MEAN = "year", _("annual mean")

    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="thresholds")
    name = models.CharField(_("name"), max_length=200)
    direction = models.CharField(_("direction"), max_length=5, choices=Direction)
    statistic = models.CharField(
        _("applies to"), max_length=5, choices=Statistic, default=Statistic.VALUE
    )
    value = models.FloatField(_("limit"))
    minutes = models.PositiveIntegerField(_("for at least (minutes)"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["datastream", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> str:
        """``minutes`` for people: "6 Stunden", "1 Tag", "ab dem ersten Wert"."""
        if self.statistic != self.Statistic.VALUE:
            return gettext("does not apply to means")
        minutes = self.minutes
        if not minutes:
            return gettext("from the first value beyond the limit")
        if minutes % (24 * 60) == 0:
            days = minutes // (24 * 60)
            return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        if minutes % 60 == 0:
            hours = minutes // 60
            return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


class Alert(models.Model):
    """A threshold exceeded: from the first value beyond it until values are normal again."""

    threshold = models.ForeignKey(Threshold, on_delete=models.CASCADE, related_name="alerts")
    started_at = models.DateTimeField(_("since"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    peak = models.FloatField(_("most extreme value"))
    last_value = models.FloatField(_("last value"))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["threshold"],
                condition=models.Q(ended_at__isnull=True),
                name="opendata_one_open_alert_per_threshold",
            )
        ]

    def __str__(self) -> str:
        return f"{self.threshold_id} since {self.started_at:%Y-%m-%d %H:%M}"


class AlertSubscription(models.Model):
    """Someone who wants alerts of a topic by e-mail; confirmed by a link, ended by a link."""

    email = models.EmailField(_("e-mail address"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    authority = models.ForeignKey(
        "core.Authority",
        verbose_name=_("authority"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The portal it was made on; empty: alerts of every portal."),
    )

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "topic", "authority"], name="opendata_subscription_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.topic or '*'})"


class DeadLetter(models.Model):
    """A message from the MQTT broker that could not be stored, kept for staff to look at."""

    topic = models.CharField(_("topic"), max_length=500)
    payload = models.TextField(_("message"))
    error = models.TextField(_("reason"))
    received_at = models.DateTimeField(_("received"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("undeliverable message")
        verbose_name_plural = _("undeliverable messages")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.received_at:%Y-%m-%d %H:%M})"

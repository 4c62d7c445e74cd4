"""Staff roles. A role is a permission group; a membership gives a user a role in one unit."""

from __future__ import annotations

from django.contrib.auth.models import Group

CLERK = "Sachbearbeitung"
HEAD = "Leitung"
ADMINISTRATOR = "Administration"
SENSOR_DATA = "Sensordaten"
"""May write the SensorThings API (sensors, datastreams, observations) with an API key; a role
without a unit's other rights, for the people and machines that maintain the sensor network."""

ALL = (CLERK, HEAD, ADMINISTRATOR, SENSOR_DATA)
MANAGING = (HEAD, ADMINISTRATOR)
"""The roles that run a unit: background tasks, legal pages, process models."""


def role(name: str) -> Group:
    """The permission group of a role, created if an installation lacks it."""
    group, _created = Group.objects.get_or_create(name=name)
    return group

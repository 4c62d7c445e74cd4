"""The service root document of ``/sta/v1.1/`` (OGC 18-088 §9.2): the entity sets and the
conformance classes this server implements.

The list names what the platform implements as a whole (reading, filtering, create-update-delete,
MultiDatastreams, the dataArray extension, creating observations over MQTT); batch requests and
receiving updates over MQTT are not built and therefore not claimed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest

from rathaus.opendata.sta.entities import ENTITIES
from rathaus.opendata.sta.serialize import base_url

REQ = "http://www.opengis.net/spec/iot_sensing/1.1/req"
MQTT_CREATE = f"{REQ}/create-observations-via-mqtt/observations-creation"
CONFORMANCE = (
    f"{REQ}/datamodel",
    f"{REQ}/resource-path/resource-path-to-entities",
    f"{REQ}/request-data",
    f"{REQ}/create-update-delete",
    f"{REQ}/multi-datastream",
    f"{REQ}/data-array/data-array",
    MQTT_CREATE,
)


def public_endpoint(url: str) -> str:
    """The broker's address without user name and password: the root document is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    try:
        port = parts.port
    except ValueError:  # a malformed port: publish the host alone
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def document(request: HttpRequest) -> dict[str, Any]:
    base = base_url(request)
    server_settings: dict[str, Any] = {"conformance": list(CONFORMANCE)}
    mqtt_url = getattr(settings, "RATHAUS_MQTT_URL", "")  # set by the MQTT part of the platform
    if mqtt_url:
        server_settings[MQTT_CREATE] = {"endpoints": [public_endpoint(mqtt_url)]}
    return {
        "value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITIES],
        "serverSettings": server_settings,
    }

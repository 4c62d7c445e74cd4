"""The device list, a school's dashboard, the request list and the API need as many queries for
thirty devices and requests as for three (no query per row)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.core import api_tokens
from tests.factories.schools import DeviceFactory, RoomFactory, SupportRequestFactory

pytestmark = pytest.mark.database


def counted(client: Client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_lists_do_not_query_per_row(keeper, school):
    user = get_user_model().objects.get(username="schulit")
    key = api_tokens.create(user, "Schul-IT", 30).key
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    room = RoomFactory(school=school)
    urls = [
        f"/verwaltung/schulen/{school.pk}/geraete/",
        f"/verwaltung/schulen/{school.pk}/",
        f"/verwaltung/schulen/{school.pk}/anfragen/",
        "/verwaltung/schulen/",
    ]

    def add(count: int) -> None:
        for _n in range(count):
            device = DeviceFactory(school=school, room=room)
            SupportRequestFactory(school=school, device=device, room=room)

    add(3)
    Client().get("/api/v1/schools/devices", **bearer)  # the key's first use is written once
    few = [counted(keeper, url) for url in urls]
    few_api = [
        counted(Client(), f"/api/v1/schools/{path}", **bearer) for path in ("devices", "requests")
    ]
    add(27)
    many = [counted(keeper, url) for url in urls]
    many_api = [
        counted(Client(), f"/api/v1/schools/{path}", **bearer) for path in ("devices", "requests")
    ]
    assert many == few
    assert many_api == few_api
    assert (
        json.loads(Client().get("/api/v1/schools/devices", **bearer).content)[0]["room"]
        == room.name
    )

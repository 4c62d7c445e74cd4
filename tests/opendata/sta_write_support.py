"""Helpers of the SensorThings writing tests: a writer's key and JSON requests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from rathaus.core import api_tokens, roles
from tests.factories import MembershipFactory, UserFactory

ROOT = "/sta/v1.1"


def key_with_role(role: str | None = roles.SENSOR_DATA, **user: Any) -> str:
    person = UserFactory(is_staff=True, **user)
    if role is not None:
        MembershipFactory(user=person, role=roles.role(role))
    return api_tokens.create(person, "Sensoren", 30).key


class Writer:
    """A client that sends JSON with a staff API key."""

    def __init__(self, key: str | None) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = Client(headers=headers)

    def send(self, method: str, path: str, body: Any = None, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        call = getattr(self.client, method.lower())
        return call(f"{ROOT}/{path}", data=data, content_type="application/json")

    def post(self, path: str, body: Any) -> Any:
        return self.send("POST", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("PATCH", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("PUT", path, body)

    def delete(self, path: str) -> Any:
        return self.send("DELETE", path)

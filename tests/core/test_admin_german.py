"""The admin speaks German when the language is German: app and model names, every list."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib import admin
from django.test import Client

from tests.factories import PASSWORD, AuditEventFactory, OrgUnitFactory, OutgoingEmailFactory
from tests.support import clerk_of, log_in
from tests.tasks_for_tests import add

# Words that only appear on an admin page when a name or label was left in English.
ENGLISH = re.compile(
    r"\b(Access attempts?|Access failures?|Access logs?|Devices?|TOTP devices?|Otp_Totp|"
    r"Tasks Database Backend|DB Task Results?|Task results?|Authentication and Authorization|"
    r"Users?|Groups?|Axes|Django OTP|Sessions?|Add|Change|Delete|Enqueued|Queue|Traceback|"
    r"Return value|Authority|Chain|Sequence|Created at|Action|Actor label|Object repr|Org unit)\b"
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def superuser_client(db) -> Client:
    user = clerk_of(OrgUnitFactory(), "admin", is_superuser=True)
    assert user.is_superuser
    return log_in(Client(), "admin", PASSWORD)


def one_row_in_every_list() -> None:
    from axes.models import AccessAttempt, AccessFailureLog

    AuditEventFactory()
    OutgoingEmailFactory()
    add.enqueue(1, 2)
    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1")


def test_the_admin_index_and_every_list_are_german(superuser_client):
    one_row_in_every_list()
    pages = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(f"/admin/{meta.app_label}/")
        pages.append(f"/admin/{meta.app_label}/{meta.model_name}/")
    found: dict[str, list[str]] = {}
    for page in dict.fromkeys(pages):
        response = superuser_client.get(page, headers={"Accept-Language": "de"})
        assert response.status_code == 200, page
        assert response.headers["Content-Language"] == "de", page
        html = response.content.decode()
        if page.count("/") == 4:  # a list: its column heads show only with a row
            assert 'id="result_list"' in html, f"{page}: no row to check"
        english = sorted(set(ENGLISH.findall(visible_text(html))))
        if english:
            found[page] = english
    assert found == {}

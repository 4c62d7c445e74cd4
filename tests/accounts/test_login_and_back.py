"""A logged-out citizen who opens a page of the account is sent to the login and back."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Account
from rathaus.core.models import OrgUnit
from tests.factories import CaseFactory, MessageAttachmentFactory


@pytest.fixture
def account_urls(barleben) -> dict[str, str]:
    """One address of every kind of account page, of objects that belong to the demo citizen."""
    account = Account.objects.get(user__email=CITIZEN_EMAIL)
    attachment = MessageAttachmentFactory(message__account=account, message__authority=barleben)
    message = attachment.message
    case = CaseFactory(account=account, org_unit=OrgUnit.objects.filter(authority=barleben)[0])
    submission = case.submission
    return {
        "account": "/konto/",
        "profile": "/konto/profil/",
        "my data": "/konto/daten/",
        "mailbox": "/konto/postfach/",
        "message": f"/konto/postfach/{message.pk}/",
        "message attachment": f"/konto/postfach/{message.pk}/anhang/{attachment.pk}/",
        "applications": "/konto/antraege/",
        "case": f"/konto/antraege/{submission.reference}/",
        "receipt": f"/antrag/eingang/{submission.pk}/",
        "receipt PDF": f"/antrag/eingang/{submission.pk}/pdf/",
        "file download": f"/dateien/{attachment.file.pk}/{attachment.filename}",
    }


PAGES = [
    "account",
    "profile",
    "my data",
    "mailbox",
    "message",
    "message attachment",
    "applications",
    "case",
    "receipt",
    "receipt PDF",
    "file download",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_logged_out_citizen_is_sent_to_the_login_and_back(account_urls, page):
    url = account_urls[page]
    client = Client()
    response = client.get(url)
    assert response.status_code == 302, (page, response.status_code)
    assert response["Location"] == f"/konto/anmelden/?next={quote(url, safe='')}"
    from rathaus.core.demo import DEMO_PASSWORD

    back = client.post(response["Location"], {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD})
    assert back.status_code == 302
    assert back["Location"] == url
    assert client.get(url).status_code == 200


def test_every_account_page_is_checked(account_urls):
    assert sorted(account_urls) == sorted(PAGES)

"""The authority's logo: in the header with its text alternative, public, uploaded by staff."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.core.models import Authority
from tests.factories import PASSWORD, OrgUnitFactory, StoredFileFactory
from tests.support import clerk_of, image, log_in


def test_the_header_shows_the_logo_with_its_text_alternative(client, barleben):
    html = client.get("/").content.decode()
    address = f"/logo/{barleben.logo_id}/"
    assert (
        f'<img class="site-brand__logo" src="{address}" '
        'alt="Wortmarke „B“ der Gemeinde Barleben (Demo)" height="56">'
    ) in html
    response = client.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"<svg" in b"".join(response.streaming_content)


def test_only_a_logo_is_served_at_the_logo_address(client, db):
    assert client.get(f"/logo/{StoredFileFactory().pk}/").status_code == 404


@pytest.mark.django_db
def test_an_administrator_uploads_a_logo_which_is_checked(barleben):
    clerk_of(OrgUnitFactory(authority=barleben), "admin", is_superuser=True)
    admin = log_in(Client(), "admin", PASSWORD)
    address = f"/admin/core/authority/{barleben.pk}/change/"
    form = admin.get(address).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "logo_file"}
    data.update({"hosts-TOTAL_FORMS": "0", "hosts-INITIAL_FORMS": "0"})
    refused = admin.post(
        address, {**data, "logo_file": SimpleUploadedFile("logo.png", b"not an image")}
    )
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["logo_file"]
    response = admin.post(
        address, {**data, "logo_file": SimpleUploadedFile("logo.png", image("PNG"), "image/png")}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    logo = Authority.objects.get(pk=barleben.pk).logo
    assert logo is not None
    assert logo.media_type == "image/png"

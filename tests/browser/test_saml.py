"""The BundID login over SAML in a real browser: the portal at ``localhost``, the identity
provider at ``127.0.0.1`` (another site), so the provider's POST back comes without the
SameSite=Lax session cookie, as it does in production."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from rathaus.accounts.models import ExternalIdentity
from tests.support import SamlIdentityProvider, running_saml_identity_provider

Check = Callable[[Page], None]


@pytest.fixture
def idp(server: str, settings: Any, tmp_path: Path) -> Iterator[SamlIdentityProvider]:
    with running_saml_identity_provider(settings, tmp_path) as provider:
        with urlopen(f"{server}/konto/saml/metadaten/", timeout=10) as response:
            provider.trust(response.read().decode())
        yield provider


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_login_with_bundid_across_sites(
    new_context: Callable[..., BrowserContext],
    server: str,
    idp: SamlIdentityProvider,
    assert_accessible: Check,
    javascript: bool,
) -> None:
    # The real Content-Security-Policy applies: the form that posts the answer again from our
    # own site must be allowed to (script with the nonce, form-action 'self').
    page = new_context(java_script_enabled=javascript, bypass_csp=False).new_page()
    assert server.startswith("http://localhost:")
    page.goto(f"{server}/konto/anmelden/")
    page.get_by_role("link", name="Mit BundID anmelden").click()
    if not javascript:
        # pysaml2's page and ours each offer a button when nothing submits by itself.
        page.get_by_role("button", name="Continue").click()
        # A page answering a POST; assert_accessible would load it again with GET.
        expect(page.get_by_role("heading", level=1)).to_have_text("Zurück von BundID")
        page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")
    expect(page.get_by_text("Vertrauensniveau: substantiell")).to_be_visible()
    assert_accessible(page)
    assert ExternalIdentity.objects.get().subject == "bPK2-Erika-4711"

"""`rathaus payment-sandbox` refuses to start without its keys; `rathaus run` starts it in the
demo when its address is on this machine."""

from __future__ import annotations

import os

from rathaus.core.management.commands.run import local_sandbox
from tests.support import rathaus


def test_the_sandbox_needs_its_api_key_and_webhook_keys():
    env = {k: v for k, v in os.environ.items() if not k.startswith("RATHAUS_PAYMENT_")}
    result = rathaus("payment-sandbox", "--port", "1", env=env)
    assert result.returncode != 0
    assert "RATHAUS_PAYMENT_SANDBOX_API_KEY is not set" in result.stderr
    env["RATHAUS_PAYMENT_SANDBOX_API_KEY"] = "k"
    env["RATHAUS_PAYMENT_WEBHOOK_KEYS"] = "a:b"
    result = rathaus("payment-sandbox", "--port", "1", "--key-id", "z", env=env)
    assert "--key-id z is not in RATHAUS_PAYMENT_WEBHOOK_KEYS" in result.stderr


def test_run_starts_the_sandbox_only_in_the_demo_and_only_on_this_machine(settings):
    settings.RATHAUS_DEMO = True
    settings.RATHAUS_PAYMENT_SANDBOX_URL = "http://127.0.0.1:8001"
    assert local_sandbox() == ["payment-sandbox", "--host", "127.0.0.1", "--port", "8001",
                               "--public-url", "http://127.0.0.1:8001"]  # fmt: skip
    settings.RATHAUS_PAYMENT_SANDBOX_URL = "https://pay.example.org"
    assert local_sandbox() == []
    settings.RATHAUS_PAYMENT_SANDBOX_URL = ""
    assert local_sandbox() == []
    settings.RATHAUS_DEMO = False
    settings.RATHAUS_PAYMENT_SANDBOX_URL = "http://localhost:8001"
    assert local_sandbox() == []

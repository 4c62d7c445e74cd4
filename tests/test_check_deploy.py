"""`rathaus check --deploy` is clean with the production settings docs/security.md names."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.support import ROOT


def _check_deploy(tmp_path, **overrides: str) -> subprocess.CompletedProcess[str]:
    key_file = tmp_path / "audit.key"
    key_file.write_text("k" * 48 + "\n", encoding="utf-8")
    production = {
        "RATHAUS_DEBUG": "false",
        "RATHAUS_DEMO": "false",
        "RATHAUS_SECRET_KEY": secrets.token_urlsafe(50),
        "RATHAUS_ALLOWED_HOSTS": "portal.barleben.de",
        "RATHAUS_CSRF_TRUSTED_ORIGINS": "https://portal.barleben.de",
        "RATHAUS_BEHIND_TLS_PROXY": "true",
        "RATHAUS_DATA_DIR": str(tmp_path / "data"),
        "RATHAUS_AUDIT_KEY_FILE": str(key_file),
        "RATHAUS_VIRUS_SCANNER": "clamav",
        "RATHAUS_CLAMD_ADDRESS": "/run/clamav/clamd.ctl",
        **overrides,
    }
    # The outer test run's own RATHAUS_* settings (its database, debug) stay out.
    inherited = {name: value for name, value in os.environ.items() if "RATHAUS_" not in name}
    return subprocess.run(
        [sys.executable, "-m", "rathaus", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env={**inherited, **{k: v for k, v in production.items() if v}},
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_check_deploy_names_what_a_production_installation_lacks(tmp_path):
    result = _check_deploy(tmp_path, RATHAUS_AUDIT_KEY_FILE="", RATHAUS_VIRUS_SCANNER="")
    assert result.returncode == 1
    assert "rathaus.W021" in result.stderr, "no virus scanner"
    assert "rathaus.W031" in result.stderr, "the audit key derived from the secret key"


def test_hsts_preload_is_the_operators_choice(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_PRELOAD, s.SILENCED_SYSTEM_CHECKS)"
    )
    inherited = {name: value for name, value in os.environ.items() if "RATHAUS_" not in name}
    production = {
        "DJANGO_SETTINGS_MODULE": "rathaus.settings",
        "RATHAUS_DEBUG": "false",
        "RATHAUS_SECRET_KEY": "s" * 50,
        "RATHAUS_DATA_DIR": str(tmp_path),
    }
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**inherited, **production, "RATHAUS_HSTS_PRELOAD": preload},
            cwd=ROOT,
            timeout=60,
            check=True,
        ).stdout.strip()
        for preload in ("false", "true")
    ]
    assert outputs == ["False ['security.W021']", "True []"]

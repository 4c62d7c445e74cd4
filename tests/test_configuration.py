"""Configuration: every variable documented, malformed values named, production mode strict."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from rathaus.conf import VARIABLES, ConfigurationError, Variable, env, render_markdown
from tests.support import ROOT


def test_configuration_page_is_generated_from_the_code():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert page == render_markdown(), "run: rathaus config-docs --output docs/configuration.md"


ENV_READ = re.compile(r"""(?:environ(?:\.get\(|\[)|getenv\()\s*["'](RATHAUS_[A-Z0-9_]+)""")
SHELL_USE = re.compile(r"\b(RATHAUS_[A-Z][A-Z0-9_]*)=")


def test_every_variable_read_anywhere_is_declared_and_documented():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    declared = {variable.env_name for variable in VARIABLES}
    used: set[str] = set()
    for path in (ROOT / "src").rglob("*.py"):
        used |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    for path in [ROOT / "Makefile", ROOT / ".ci" / "run", ROOT / "README.md"]:
        used |= set(SHELL_USE.findall(path.read_text(encoding="utf-8")))
    used -= {"RATHAUS_PG_BINDIR"}  # read by scripts/with_postgres.py, documented in the README
    undeclared = used - declared
    assert not undeclared, f"declare these in src/rathaus/conf.py: {sorted(undeclared)}"
    for name in declared:
        assert f"`{name}`" in page


def test_settings_read_only_declared_variables():
    source = (ROOT / "src" / "rathaus" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env\("([A-Z_]+)"\)', source))
    assert names <= {variable.name for variable in VARIABLES}
    assert "os.environ" not in source


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [
        ("PORT", "eighty", "RATHAUS_PORT: expected a whole number, got 'eighty'"),
        ("PORT", "70000", "RATHAUS_PORT: expected a TCP port"),
        ("DEBUG", "maybe", "RATHAUS_DEBUG: expected true or false"),
        ("LOG_LEVEL", "loud", "RATHAUS_LOG_LEVEL: expected one of"),
    ],
)
def test_malformed_values_name_the_variable(name, raw, fragment):
    with pytest.raises(ConfigurationError) as excinfo:
        env(name, {f"RATHAUS_{name}": raw})
    assert fragment in str(excinfo.value)


def test_defaults_work_without_any_environment():
    assert env("PORT", {}) == 8000
    assert env("DEBUG", {}) is True
    assert env("ALLOWED_HOSTS", {"RATHAUS_ALLOWED_HOSTS": " a.de , b.de ,"}) == ["a.de", "b.de"]


def test_secret_values_are_not_echoed_in_errors():
    secret = Variable("X", "integer", "1", "", secret=True)
    with pytest.raises(ConfigurationError) as excinfo:
        secret.parse({"RATHAUS_X": "hunter2"})
    assert "RATHAUS_X" in str(excinfo.value)
    assert "hunter2" not in str(excinfo.value)


def _start(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "rathaus", "check"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_start_up_stops_with_a_clear_message_on_a_malformed_value():
    result = _start({"RATHAUS_PORT": "eighty"})
    assert result.returncode == 2
    assert "configuration error: RATHAUS_PORT: expected a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_mode_refuses_the_default_secret_key():
    result = _start({"RATHAUS_DEBUG": "false", "RATHAUS_SECRET_KEY": ""})
    assert result.returncode == 2
    assert "RATHAUS_SECRET_KEY" in result.stderr


def test_production_mode_refuses_a_placeholder_secret_key_however_long():
    placeholder = "change-me-to-a-long-random-value-of-at-least-50-characters"
    result = _start({"RATHAUS_DEBUG": "false", "RATHAUS_SECRET_KEY": placeholder})
    assert result.returncode == 2
    assert "placeholder secret key" in result.stderr
    assert placeholder not in result.stderr


def test_production_mode_turns_on_secure_settings():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS, s.PASSWORD_HASHERS[0],"
        "s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.LANGUAGE_COOKIE_NAME]))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rathaus.settings",
        "RATHAUS_DEBUG": "false",
        "RATHAUS_SECRET_KEY": "x" * 50,
        "RATHAUS_ALLOWED_HOSTS": "portal.barleben.de",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == (
        '[false, true, true, 31536000, true, ["portal.barleben.de"], '
        '"django.contrib.auth.hashers.Argon2PasswordHasher", '
        '"__Host-sessionid", "__Host-csrftoken", "__Host-language"]'
    )


def _settings_of(environment: dict[str, str], names: str) -> str:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([getattr(s, name) for name in {names.split()!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "rathaus.settings", **environment},
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_demo_installation_runs_without_debug_and_makes_its_own_secret_key(tmp_path):
    """make run: no debug, demo commands allowed, plain HTTP, a random key in the data dir."""
    environment = {
        "RATHAUS_DEBUG": "false",
        "RATHAUS_DEMO": "true",
        "RATHAUS_DATA_DIR": str(tmp_path),
    }
    names = "DEBUG RATHAUS_PRODUCTION SECURE_SSL_REDIRECT SESSION_COOKIE_SECURE SECRET_KEY"
    first = _settings_of(environment, names)
    key_file = tmp_path / "secret-key"
    key = key_file.read_text(encoding="utf-8").strip()
    assert len(key) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first == f'[false, false, false, false, "{key}"]'
    assert _settings_of(environment, names) == first, "the key survives a restart"


def test_without_debug_and_demo_the_installation_is_in_production_mode(tmp_path):
    environment = {
        "RATHAUS_DEBUG": "false",
        "RATHAUS_DEMO": "false",
        "RATHAUS_SECRET_KEY": "x" * 50,
        "RATHAUS_DATA_DIR": str(tmp_path),
    }
    assert _settings_of(environment, "RATHAUS_PRODUCTION SECURE_SSL_REDIRECT") == "[true, true]"
    assert not (tmp_path / "secret-key").exists()


def test_make_run_turns_debug_off_unless_the_development_flag_is_given():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert (
        "DEMO_ENV := RATHAUS_DEMO=$${RATHAUS_DEMO:-true} RATHAUS_DEBUG=$${RATHAUS_DEBUG:-false}"
        in (makefile)
    )
    for target in ("run", "migrate", "demo", "static"):
        recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert "$(DEMO_ENV) $(BIN)/rathaus" in recipe, target


def test_an_unreadable_audit_key_file_is_a_configuration_error(tmp_path):
    env = {**os.environ, "RATHAUS_AUDIT_KEY_FILE": str(tmp_path / "missing.key")}
    result = subprocess.run(
        [sys.executable, "-m", "rathaus", "check"], capture_output=True, text=True, env=env,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "RATHAUS_AUDIT_KEY_FILE: cannot read" in result.stderr
    assert "Traceback" not in result.stderr

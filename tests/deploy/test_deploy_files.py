"""The files in deploy/ that this machine cannot run (systemd units, the container image, the
compose file) name commands that exist and set the proxy headers as the tested stack does."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from types import ModuleType

import pytest
from django.core.management import get_commands

from tests.support import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
# The headers a proxy must set itself; what the client sent is overwritten.
PROXY_HEADERS = (
    "proxy_set_header X-Forwarded-For $remote_addr;",
    'proxy_set_header X-Forwarded-Host "";',
    "proxy_set_header X-Request-ID $request_id;",
    "proxy_set_header Host $http_host;",
)


def stack_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_stack", DEPLOY / "stack.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def existing_commands() -> set[str]:
    """The management commands, written as the rathaus command takes them (hyphens too)."""
    names = set(get_commands())
    return names | {name.replace("_", "-") for name in names}


def test_every_unit_runs_an_existing_command():
    assert {unit.name for unit in UNITS} >= {
        "rathaus-web@.service",
        "rathaus-worker@.service",
        "rathaus-payment-sandbox.service",
        "rathaus-mqtt-consumer.service",
    }
    commands = existing_commands()
    for unit in UNITS:
        run = re.findall(
            r"^ExecStart=/opt/rathaus/venv/bin/rathaus ([a-z_-]+)", unit.read_text(), re.M
        )
        assert run, f"{unit.name} starts no rathaus command"
        assert set(run) <= commands, unit.name


def test_the_image_and_the_compose_file_run_existing_commands():
    commands = existing_commands()
    image = (DEPLOY / "Containerfile").read_text()
    assert re.search(r'^ENTRYPOINT \["rathaus"\]$', image, re.M)
    assert re.search(r'^CMD \["serve", ', image, re.M)
    compose = (DEPLOY / "compose.yaml").read_text()
    direct = set(re.findall(r'^    command: \["([a-z_-]+)"', compose, re.M)) - {
        "sh",
        "redis-server",
        "mosquitto",
    }
    in_shell = set(re.findall(r"rathaus ([a-z_-]+) --", compose))
    assert direct == {"serve", "worker", "payment-sandbox", "mqtt-consumer"}
    assert in_shell == {"migrate", "collectstatic"}
    assert direct | in_shell <= commands


def test_compose_trusts_only_its_nginx():
    compose = (DEPLOY / "compose.yaml").read_text()
    trusted = re.findall(r"RATHAUS_TRUSTED_PROXIES: (\S+)", compose)
    address = re.findall(r"ipv4_address: (\S+)", compose)
    assert trusted == address
    assert len(address) == 1


@pytest.mark.parametrize("name", ["rathaus.conf.in", "compose.conf"])
def test_the_proxy_sets_the_forwarded_headers_itself(name):
    config = (DEPLOY / "nginx" / name).read_text()
    active = "\n".join(
        line.strip() for line in config.splitlines() if not line.lstrip().startswith("#")
    )
    for header in PROXY_HEADERS:
        assert header in active, f"{name}: {header}"
    assert "$proxy_add_x_forwarded_for" not in active  # a client could prepend addresses


def test_nginx_accepts_the_stack_configuration(tmp_path):
    stack = stack_module()
    data = {
        "processes": {"web": [{"port": 18001}, {"port": 18002}], "nginx": {"port": 18000}},
        "env": {"RATHAUS_DATA_DIR": str(tmp_path / "data")},
    }
    config = stack.write_nginx_config(data, tmp_path)
    site = (tmp_path / "nginx" / "rathaus.conf").read_text()
    assert "server 127.0.0.1:18001" in site
    assert "server 127.0.0.1:18002" in site
    result = subprocess.run(
        [stack.nginx_binary(), "-t", "-q", "-p", str(tmp_path / "nginx"), "-e", str(tmp_path / "error.log"), "-c", str(config)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

"""``rathaus run`` starts a local broker only when RATHAUS_MQTT_URL is on this machine and free;
``rathaus mqtt-broker`` is that broker."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

from django.test import override_settings

from rathaus.core.management.commands.run import local_broker
from rathaus.opendata.mqtt.broker import free_port, listening
from tests.support import ROOT


def test_run_starts_a_broker_only_for_a_free_address_on_this_machine():
    port = free_port()
    with override_settings(RATHAUS_MQTT_URL=f"mqtt://127.0.0.1:{port}"):
        assert local_broker() == ["mqtt-broker", "--host", "127.0.0.1", "--port", str(port)]
    with override_settings(RATHAUS_MQTT_URL="mqtt://broker.example.org:1883"):
        assert local_broker() == []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with override_settings(RATHAUS_MQTT_URL=f"mqtt://localhost:{busy}"):
            assert local_broker() == []


def test_the_broker_command_runs_mosquitto_with_its_state_in_the_data_directory(tmp_path):
    port = free_port()
    env = {"PATH": "/usr/bin:/usr/sbin:/bin", "RATHAUS_DATA_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "rathaus", "mqtt-broker", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not listening("127.0.0.1", port):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "mosquitto did not listen"
            time.sleep(0.1)
        assert (tmp_path / "mosquitto" / "mosquitto.conf").exists()
        again = subprocess.run(
            [sys.executable, "-m", "rathaus", "mqtt-broker", "--port", str(port)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert again.returncode == 1
        assert f"Something listens on port {port} already." in again.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert (tmp_path / "mosquitto" / "mosquitto.db").exists()  # sessions kept for next time

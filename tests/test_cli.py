"""The `rathaus` console command, run as an operator runs it."""

from __future__ import annotations

import pytest

from rathaus.core.models import AuditEvent
from tests.support import ROOT, database_env, rathaus

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def test_help_lists_the_rathaus_commands():
    result = rathaus("help")
    assert result.returncode == 0
    for name in ("demo_data", "audit_verify", "worker", "run", "config_docs"):
        assert name in result.stdout


@pytest.mark.django_db(transaction=True)
def test_audit_verify_command_finds_a_row_changed_in_the_database():
    env = database_env()
    loaded = rathaus("demo-data", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "Demo data: " in loaded.stdout
    intact = rathaus("audit-verify", env=env)
    assert intact.returncode == 0
    assert "Audit log intact" in intact.stdout
    AuditEvent.objects.filter(sequence=1).update(action="demo.deleted")
    damaged = rathaus("audit-verify", env=env)
    assert damaged.returncode == 1
    assert "#1: content was changed after it was written" in damaged.stderr


@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_production_web_server():
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.support import ROOT

    rathaus("demo-data", env=database_env())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**database_env(), "RATHAUS_WEB_WORKERS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "rathaus", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
                    body = response.read().decode()
                    headers = response.headers
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not answer"
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.3)
        assert "Gemeinde Barleben" in body
        # The server names no product version an attacker could look up.
        server_name = headers.get("Server", "")
        assert not any(character.isdigit() for character in server_name), server_name
        assert "/" not in server_name
        assert "camera=()" in headers["Permissions-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_run_starts_web_server_worker_and_mqtt_and_ctrl_c_stops_all(tmp_path):
    """`rathaus run` (what `make run` ends with): web server, worker, a local mosquitto and the
    consumer that stores what a sensor publishes; Ctrl-C stops them all."""
    import json
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    import paho.mqtt.client as mqtt

    from rathaus.core.models import WorkerHeartbeat
    from rathaus.opendata.models import Datastream, Observation
    from tests.support import ROOT

    rathaus("demo-data", env=database_env())
    port, mqtt_port = free_port(), free_port()
    # as the demo runs: with the sensor simulator, which must find the broker it starts
    env = {**database_env(), "RATHAUS_MQTT_URL": f"mqtt://127.0.0.1:{mqtt_port}",
           "RATHAUS_DATA_DIR": str(tmp_path), "RATHAUS_DEMO": "true"}  # fmt: skip
    with (tmp_path / "run.out").open("wb") as output, (tmp_path / "run.err").open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "rathaus", "run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=errors,
        )

    def messages() -> str:
        return (tmp_path / "run.err").read_text(encoding="utf-8", errors="replace")[-3000:]

    health = None
    stream = Datastream.objects.filter(topic="traffic").first()
    assert stream is not None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as response:
                    health = json.load(response)
                    server_name = response.headers["Server"]
                break
            except urllib.error.HTTPError:
                time.sleep(0.3)  # server up, worker not yet
            except OSError:
                time.sleep(0.3)
        assert health is not None, f"web server and worker did not become healthy:\n{messages()}"
        assert server_name == "gunicorn"  # the production server, not Django's runserver
        # The public answer: statuses only, no counts, paths or error texts.
        assert health["checks"]["worker"] == {"status": "ok"}

        # the broker starts beside the web server and may listen a moment after it answers
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", mqtt_port)) == 0:
                    break
            time.sleep(0.2)
        sensor = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-sensor")
        try:
            sensor.connect("127.0.0.1", mqtt_port)
        except OSError as error:
            raise AssertionError(f"the broker does not listen ({error}):\n{messages()}") from error
        sensor.loop_start()
        body = {"phenomenonTime": "2026-12-01T07:17:00Z", "result": 417}  # between demo hours
        stored, sent_at = None, 0.0
        while time.monotonic() < deadline + 30 and stored is None:
            # published again until stored: before the consumer has subscribed for the first
            # time, the broker keeps nothing for it (a repeat is stored once, ADR 0059)
            if time.monotonic() - sent_at > 2:
                topic = f"v1.1/Datastreams({stream.pk})/Observations"
                sensor.publish(topic, json.dumps(body), qos=1)
                sent_at = time.monotonic()
            stored = Observation.objects.filter(datastream=stream, result_number=417).first()
            time.sleep(0.2)
        sensor.loop_stop()
        sensor.disconnect()
        assert stored is not None, "the consumer did not store what the sensor published"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    # where the demo is, said once the server answers (the demo logins come from demo-data)
    said = (tmp_path / "run.out").read_text(encoding="utf-8").splitlines()
    assert f"rathaus is running at http://127.0.0.1:{port}/ — stop with Ctrl-C." in said
    for listening in (port, mqtt_port):
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", listening)) != 0, f"{listening} still listening"
    assert not WorkerHeartbeat.objects.exists(), "worker still registered"


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_while_rathaus_run_starts_up_stops_what_it_started(tmp_path):
    """A Ctrl-C while `rathaus run` still waits for the MQTT broker stops the web server and the
    worker it has started already: none of them is left running on its own."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    from tests.support import ROOT

    port, mqtt_port = free_port(), free_port()
    (tmp_path / "mosquitto").write_text("not a directory")  # the broker cannot start: run waits
    env = {**database_env(), "RATHAUS_MQTT_URL": f"mqtt://127.0.0.1:{mqtt_port}",
           "RATHAUS_DATA_DIR": str(tmp_path)}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "rathaus", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("the web server did not start")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the web server is still running"


def test_the_readme_names_every_rathaus_command():
    """The README's command table keeps up with the management commands the apps ship."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = sorted(
        path.stem.replace("_", "-")
        for path in (ROOT / "src" / "rathaus").glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    )
    assert "import-process" in commands
    missing = [name for name in commands if f"`rathaus {name}" not in readme]
    assert missing == []

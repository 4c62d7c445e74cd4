"""Outgoing e-mail: rendered in the citizen's language, stored with the change, delivered by the
worker through a real SMTP server, retried, never sent twice, and readable in the demo outbox."""

from __future__ import annotations

import copy
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from rathaus.conf import ConfigurationError, EmailTransport, env
from rathaus.core import mail
from rathaus.core.mail import MAX_ATTEMPTS, OUTBOX_BACKEND, deliver_email, send_mail
from rathaus.core.models import OutgoingEmail, WorkerHeartbeat
from tests.factories import AuthorityFactory
from tests.support import ROOT, database_env, start_worker

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

LINK = "https://barleben.localhost/konto/bestaetigen/?uid=7&token=ab-12"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


# --- helpers -------------------------------------------------------------------------------


class Recorder:
    """An aiosmtpd handler that keeps what it receives, or refuses every recipient."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1, in a thread of this process."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.port = controller.port
    yield recorder
    controller.stop()


@pytest.fixture
def use_smtp(settings, smtp_server):
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    return smtp_server


@pytest.fixture(autouse=True)
def mail_templates(settings):
    """The test e-mails in tests/templates extend the shipped emails/base templates."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], ROOT / "tests" / "templates"]
    settings.TEMPLATES = templates
    settings.DEFAULT_FROM_EMAIL = "Gemeinde Barleben <noreply@barleben.example>"


def queue_notice(language: str | None = "de", **overrides: object) -> OutgoingEmail:
    arguments: dict[str, object] = {
        "to": "erika@example.de",
        "subject": "Ihr Termin",
        "template": "test_mail/notice",
        "context": {"name": "Erika Mustermann", "when": date(2026, 3, 3), "link": LINK},
        "language": language,
    }
    arguments.update(overrides)
    return send_mail(**arguments)  # type: ignore[arg-type]


def delivery_tasks() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path="rathaus.core.mail.deliver_email").order_by(
            "enqueued_at"
        )
    )


# --- rendering -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_renders_text_and_html_in_german():
    authority = AuthorityFactory(name="Gemeinde Barleben & Umgebung", email="info@barleben.de")
    queued = queue_notice(authority=authority)
    assert queued.language == "de"
    text = queued.text_body
    assert text.startswith("Guten Tag,\n\nDear Erika Mustermann,")
    assert "3. März 2026" in text
    # Plain text is not HTML-escaped: the link works when copied or clicked.
    assert f"Confirm it here: {LINK}\n" in text
    assert "&amp;" not in text
    assert "Ihr digitales Rathaus\nGemeinde Barleben & Umgebung\n" in text
    assert "Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf." in text
    assert "E-Mail: info@barleben.de" in text
    html = queued.html_body
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="de">' in html
    assert "<title>Ihr Termin</title>" in html
    assert f'<a href="{LINK.replace("&", "&amp;")}">' in html
    assert "Gemeinde Barleben &amp; Umgebung" in html
    assert "Bitte antworten Sie nicht darauf." in html


@pytest.mark.django_db
def test_renders_in_english_and_translates_a_lazy_subject():
    queued = queue_notice(language="en", subject=gettext_lazy("Outbox"))
    assert queued.subject == "Outbox"
    assert queued.language == "en"
    assert "3. March 2026" in queued.text_body
    assert "This e-mail was written automatically. Please do not reply to it." in queued.text_body
    assert "Your digital town hall\n" in queued.text_body
    assert '<html lang="en">' in queued.html_body
    german = queue_notice(language="de", subject=gettext_lazy("Outbox"))
    assert german.subject == "Postausgang"


@pytest.mark.django_db
def test_language_defaults_to_the_active_language():
    with translation.override("en"):
        queued = queue_notice(language=None)
    assert queued.language == "en"
    assert "Hello," in queued.text_body


@pytest.mark.django_db
def test_the_html_part_is_optional_but_a_broken_one_is_an_error():
    queued = send_mail(
        to="erika@example.de",
        subject="Nur Text",
        template="test_mail/plain",
        context={"link": LINK},
    )
    assert queued.text_body == f"Plain text only: {LINK}\n"
    assert queued.html_body == ""
    from django.template import TemplateDoesNotExist

    with pytest.raises(TemplateDoesNotExist, match="does-not-exist"):
        send_mail(to="erika@example.de", subject="Kaputt", template="test_mail/broken", context={})


@pytest.mark.django_db
def test_refuses_a_malformed_recipient_and_a_missing_template():
    with pytest.raises(ValueError, match="not an e-mail address"):
        queue_notice(to="erika@example.de\nBcc: all@example.de")
    from django.template import TemplateDoesNotExist

    with pytest.raises(TemplateDoesNotExist):
        queue_notice(template="test_mail/missing")
    assert not OutgoingEmail.objects.exists()


# --- storing and queueing ------------------------------------------------------------------


@pytest.mark.django_db
def test_stored_in_the_callers_transaction_and_rolled_back_with_it(
    django_capture_on_commit_callbacks,
):
    def failing_change() -> None:
        with transaction.atomic():
            queue_notice()
            assert OutgoingEmail.objects.count() == 1
            raise RuntimeError("the change that caused the e-mail failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_change()
    assert not OutgoingEmail.objects.exists()
    assert callbacks == []
    assert delivery_tasks() == []


@pytest.mark.django_db
def test_delivery_task_is_written_in_the_same_transaction(
    django_capture_on_commit_callbacks,
):
    """No on_commit gap (ADR 0021): a crash after the commit cannot leave an e-mail without
    its task, and a rollback removes both."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        queued = queue_notice()
        (task_row,) = delivery_tasks()
    assert callbacks == []
    assert task_row.args_kwargs == {"args": [queued.pk], "kwargs": {}}
    assert queued.status == OutgoingEmail.Status.QUEUED
    assert queued.attempts == 0


# --- delivery ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_delivers_through_the_django_email_backend():
    queued = queue_notice()
    assert deliver_email.call(queued.pk) == "sent"
    (sent,) = django_mail.outbox
    assert sent.to == ["erika@example.de"]
    assert sent.from_email == "Gemeinde Barleben <noreply@barleben.example>"
    assert sent.subject == "Ihr Termin"
    assert sent.body == queued.text_body
    assert sent.alternatives[0][1] == "text/html"
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert sent.extra_headers["Message-ID"].endswith("@barleben.example>")
    queued.refresh_from_db()
    assert queued.status == OutgoingEmail.Status.SENT
    assert queued.attempts == 1
    assert queued.sent_at is not None
    assert queued.transport == "locmem"


@pytest.mark.django_db
def test_outbox_transport_sends_nothing_and_says_so(settings):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    queued = queue_notice()
    assert mail.deliver(queued.pk) == "sent"
    assert django_mail.outbox == []
    queued.refresh_from_db()
    assert queued.status == OutgoingEmail.Status.SENT
    assert queued.transport == "outbox"


@pytest.mark.django_db
def test_an_authority_sends_from_its_own_address():
    own = AuthorityFactory(name="Gemeinde Barleben", sender_email="buergerbuero@barleben.example")
    assert deliver_email.call(queue_notice(authority=own).pk) == "sent"
    assert deliver_email.call(queue_notice(authority=AuthorityFactory()).pk) == "sent"
    first, second = django_mail.outbox
    assert first.from_email == "Gemeinde Barleben <buergerbuero@barleben.example>"
    assert first.extra_headers["Message-ID"].endswith("@barleben.example>")
    assert second.from_email == "Gemeinde Barleben <noreply@barleben.example>"  # the default


@pytest.mark.django_db
def test_no_demo_authority_sends_from_localhost(barleben):
    from rathaus.core.models import Authority

    senders = [mail.sender_for(authority) for authority in Authority.objects.all()]
    assert len(senders) == 2
    assert not [sender for sender in senders if "localhost" in sender]
    assert mail.sender_for(barleben) == "Gemeinde Barleben <buergerbuero@barleben.example>"


@pytest.mark.django_db
def test_delivery_is_idempotent():
    queued = queue_notice()
    assert mail.deliver(queued.pk) == "sent"
    assert mail.deliver(queued.pk) == "skipped"
    assert deliver_email.call(queued.pk) == "skipped"
    assert len(django_mail.outbox) == 1
    queued.refresh_from_db()
    assert queued.attempts == 1
    # An e-mail another worker is delivering right now is left to that worker.
    busy = queue_notice()
    OutgoingEmail.objects.filter(pk=busy.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )
    assert mail.deliver(busy.pk) == "skipped"
    assert mail.deliver(999_999) == "skipped"
    assert len(django_mail.outbox) == 1


@pytest.mark.django_db
def test_smtp_delivery_to_a_real_server(use_smtp):
    authority = AuthorityFactory(name="Gemeinde Barleben")
    queued = queue_notice(authority=authority, subject="Bestätigen Sie Ihre Adresse")
    assert mail.deliver(queued.pk) == "sent"
    (received,) = use_smtp.messages
    assert received["To"] == "erika@example.de"
    assert received["From"] == "Gemeinde Barleben <noreply@barleben.example>"
    assert received["Subject"] == "Bestätigen Sie Ihre Adresse"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Content-Language"] == "de"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert LINK in text
    assert "3. März 2026" in text
    assert '<html lang="de">' in html
    queued.refresh_from_db()
    assert (queued.status, queued.transport, queued.attempts) == ("sent", "smtp", 1)


@pytest.mark.django_db
def test_refused_delivery_is_retried_with_growing_delays_then_fails(
    use_smtp, django_capture_on_commit_callbacks
):
    use_smtp.refuse = True
    queued = queue_notice()
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            outcome = mail.deliver(queued.pk)
        queued.refresh_from_db()
        assert queued.attempts == attempt
        assert "SMTPRecipientsRefused" in queued.last_error
        assert "Mailbox unavailable" in queued.last_error
        assert queued.claimed_until is None
        if attempt < MAX_ATTEMPTS:
            assert outcome == "retry"
            assert queued.status == OutgoingEmail.Status.QUEUED
            retry = delivery_tasks()[-1]
            assert retry.args_kwargs == {"args": [queued.pk], "kwargs": {}}
            delays.append(retry.run_after - before)
        else:
            assert outcome == "failed"
            assert queued.status == OutgoingEmail.Status.FAILED
    # The first delivery task and one retry per failed attempt but the last.
    assert len(delivery_tasks()) == MAX_ATTEMPTS
    assert delays == sorted(delays)
    assert delays[0] >= timedelta(minutes=1)
    assert delays[-1] > delays[0] * 10
    assert queued.sent_at is None
    assert use_smtp.messages == []
    # A failed e-mail is not tried again by a late task either.
    assert mail.deliver(queued.pk) == "skipped"


@pytest.mark.django_db
def test_a_failed_attempt_that_succeeds_later_is_sent_once(
    use_smtp, django_capture_on_commit_callbacks
):
    use_smtp.refuse = True
    queued = queue_notice()
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.deliver(queued.pk) == "retry"
    use_smtp.refuse = False
    assert mail.deliver(queued.pk) == "sent"
    assert len(use_smtp.messages) == 1
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("sent", 2)
    assert "SMTPRecipientsRefused" in queued.last_error  # kept as history


@pytest.mark.django_db
def test_unreachable_server_is_recorded(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens there
    queued = queue_notice()
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.deliver(queued.pk) == "retry"
    queued.refresh_from_db()
    assert "ConnectionRefusedError" in queued.last_error


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_through_smtp(smtp_server):
    with transaction.atomic():
        queued = queue_notice(subject="Ende zu Ende")
    (task_row,) = delivery_tasks()
    environment = {
        **database_env(),
        "RATHAUS_EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "RATHAUS_EMAIL_FROM": "Gemeinde Barleben <noreply@barleben.example>",
    }
    worker = start_worker(environment)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            queued.refresh_from_db()
            if queued.status != OutgoingEmail.Status.QUEUED:
                break
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert queued.status == OutgoingEmail.Status.SENT, output
    assert queued.transport == "smtp"
    (received,) = smtp_server.messages
    assert received["Subject"] == "Ende zu Ende"
    assert LINK in received.get_body(preferencelist=("plain",)).get_content()
    task_row.refresh_from_db()
    assert task_row.status == "SUCCESSFUL"
    assert task_row.return_value == "sent"
    assert not WorkerHeartbeat.objects.exists()


# --- the demo outbox -----------------------------------------------------------------------


@pytest.mark.django_db
def test_outbox_lists_the_latest_emails(client, settings, django_assert_max_num_queries):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    first = queue_notice(subject="Erste Nachricht")
    mail.deliver(first.pk)
    for number in range(55):
        queue_notice(subject=f"Nachricht {number}")
    with django_assert_max_num_queries(4):
        response = client.get("/demo/postausgang/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Demo: Diese E-Mails wurden nicht versandt" in page
    assert "<caption" in page
    assert "Die letzten 50 E-Mails" in page
    assert page.count('<th scope="col"') == 4
    assert page.count('<th scope="row"') == 50
    assert "Nachricht 54" in page
    assert "Erste Nachricht" not in page  # older than the latest 50
    assert "In der Warteschlange" in page
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_outbox_shows_one_email_with_clickable_links(client, settings):
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    queued = queue_notice(language="en", authority=AuthorityFactory(name="Gemeinde Barleben"))
    mail.deliver(queued.pk)
    response = client.get("/demo/postausgang/")
    assert "Im Postausgang" in response.content.decode()
    assert f'href="/demo/postausgang/{queued.pk}/"' in response.content.decode()
    response = client.get(f"/demo/postausgang/{queued.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Demo: Diese E-Mails wurden nicht versandt" in page
    assert f'<a href="{LINK.replace("&", "&amp;")}" rel="nofollow">' in page
    assert '<div class="outbox-body" lang="en">' in page
    assert "erika@example.de" in page
    assert "Gemeinde Barleben &lt;noreply@barleben.example&gt;" in page
    assert f'href="/demo/postausgang/{queued.pk}/html/"' in page


@pytest.mark.django_db
def test_outbox_serves_the_html_version_sandboxed(client):
    queued = queue_notice()
    response = client.get(f"/demo/postausgang/{queued.pk}/html/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline';")
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response.content.decode() == queued.html_body
    text_only = send_mail(
        to="erika@example.de", subject="Nur Text", template="test_mail/plain", context={"link": ""}
    )
    assert client.get(f"/demo/postausgang/{text_only.pk}/html/").status_code == 404
    detail = client.get(f"/demo/postausgang/{text_only.pk}/").content.decode()
    assert f"/demo/postausgang/{text_only.pk}/html/" not in detail
    assert client.get("/demo/postausgang/999999/").status_code == 404


@pytest.mark.django_db
def test_outbox_banner_when_a_mail_server_is_configured(client, settings):
    settings.EMAIL_BACKEND = SMTP_BACKEND
    page = client.get("/demo/postausgang/").content.decode()
    assert "Diese E-Mails wurden nicht versandt" not in page
    assert "über den eingerichteten Mailserver" in page
    assert "Noch keine E-Mails." in page


@pytest.mark.django_db
def test_outbox_does_not_exist_in_production_mode(client, settings):
    queued = queue_notice()
    settings.RATHAUS_PRODUCTION = True
    for path in ["/demo/postausgang/", f"/demo/postausgang/{queued.pk}/"]:
        assert client.get(path).status_code == 404
    assert client.get(f"/demo/postausgang/{queued.pk}/html/").status_code == 404


@pytest.mark.django_db
def test_production_with_the_outbox_stays_healthy(client, settings):
    settings.RATHAUS_PRODUCTION = True
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="here", pid=1, started_at=now, last_seen=now
    )
    queued = queue_notice()
    assert mail.deliver(queued.pk) == "sent"
    assert client.get("/health").status_code == 200


# --- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("outbox", EmailTransport(outbox=True)),
        (" OUTBOX ", EmailTransport(outbox=True)),
        ("smtp://mail.example.de", EmailTransport(False, "mail.example.de", 25)),
        (
            "smtp+tls://rathaus:p%40ss%2Fw0rd@mail.example.de",
            EmailTransport(False, "mail.example.de", 587, "rathaus", "p@ss/w0rd", use_tls=True),
        ),
        (
            "smtps://rathaus%40barleben.de:geheim@mail.example.de:2465/",
            EmailTransport(
                False, "mail.example.de", 2465, "rathaus@barleben.de", "geheim", False, True
            ),
        ),
        ("smtp://[::1]:2525", EmailTransport(False, "::1", 2525)),
    ],
)
def test_email_url_values(raw, expected):
    assert env("EMAIL_URL", {"RATHAUS_EMAIL_URL": raw}) == expected


def test_email_url_default_is_the_outbox():
    assert env("EMAIL_URL", {}) == EmailTransport(outbox=True)
    assert env("EMAIL_FROM", {}) == "rathaus <noreply@localhost>"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "expected outbox or a URL smtp://"),
        ("mail.example.de", "expected outbox or a URL smtp://"),
        ("http://user:hunter2@mail.example.de", "expected outbox or a URL smtp://"),
        ("smtp://", "host name is missing"),
        ("smtp://user:hunter2@:25", "host name is missing"),
        ("smtp://user:hunter2@mail.example.de:99999", "port must be a number"),
        ("smtp://mail.example.de:abc", "port must be a number"),
        ("smtp://mail.example.de:0", "port must be a number"),
        ("smtp://:hunter2@mail.example.de", "a password needs a user name"),
        ("smtp://user:hunter2@mail.example.de/inbox", "unexpected path"),
        ("smtp://mail.example.de?tls=1", "unexpected path"),
    ],
)
def test_malformed_email_url_names_the_variable_and_hides_the_value(raw, fragment):
    with pytest.raises(ConfigurationError) as excinfo:
        env("EMAIL_URL", {"RATHAUS_EMAIL_URL": raw})
    message = str(excinfo.value)
    assert message.startswith("RATHAUS_EMAIL_URL: ")
    assert fragment in message
    assert "hunter2" not in message
    assert "(hidden)" in message


@pytest.mark.parametrize("raw", ["noreply", "Gemeinde <>", "a@b\nBcc: x@y"])
def test_malformed_sender_names_the_variable(raw):
    with pytest.raises(ConfigurationError, match=r"^RATHAUS_EMAIL_FROM: "):
        env("EMAIL_FROM", {"RATHAUS_EMAIL_FROM": raw})


def _django(code: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "rathaus.settings", **extra}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_settings_take_the_mail_server_from_the_url():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND,"
        " s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS,"
        " s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL]))"
    )
    result = _django(
        code,
        {
            "RATHAUS_EMAIL_URL": "smtp+tls://rathaus:p%40ss@mail.example.de",
            "RATHAUS_EMAIL_FROM": "Gemeinde Barleben <noreply@barleben.de>",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["django.core.mail.backends.smtp.EmailBackend", "mail.example.de", 587, "rathaus",'
        ' "p@ss", true, false, "Gemeinde Barleben <noreply@barleben.de>"]'
    )


def test_production_mode_starts_with_the_outbox():
    result = _django(
        "from django.conf import settings as s; print(s.RATHAUS_PRODUCTION, s.EMAIL_BACKEND)",
        {"RATHAUS_DEBUG": "false", "RATHAUS_SECRET_KEY": "x" * 50, "RATHAUS_EMAIL_URL": "outbox"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"True {OUTBOX_BACKEND}"


def test_start_up_stops_on_a_malformed_email_url():
    result = subprocess.run(
        [sys.executable, "-m", "rathaus", "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "RATHAUS_EMAIL_URL": "smtp://user:hunter2@mail.example.de:0x19"},
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "configuration error: RATHAUS_EMAIL_URL: the port must be a number" in result.stderr
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_subject_is_one_line_and_not_empty():
    queued = queue_notice(subject="  Ihr\nTermin \r\n am Dienstag ")
    assert queued.subject == "Ihr Termin am Dienstag"
    with pytest.raises(ValueError, match="needs a subject"):
        queue_notice(subject=" \n ")
    with pytest.raises(ValueError, match="longer than 255"):
        queue_notice(subject="x" * 256)


@pytest.mark.django_db
def test_attachments_are_stored_with_the_email_and_sent_on_every_attempt(
    use_smtp, client, settings, django_capture_on_commit_callbacks
):
    calendar_file = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    queued = queue_notice(
        attachments=[mail.Attachment("termin.ics", calendar_file, "text/calendar")]
    )
    use_smtp.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.deliver(queued.pk) == "retry"
    use_smtp.refuse = False
    assert mail.deliver(queued.pk) == "sent"  # the retry reads the attachment from the database
    (received,) = use_smtp.messages
    assert received.get_content_type() == "multipart/mixed"
    (part,) = list(received.iter_attachments())
    assert part.get_filename() == "termin.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True) == calendar_file
    assert LINK in received.get_body(preferencelist=("plain",)).get_content()

    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    page = client.get(f"/demo/postausgang/{queued.pk}/")
    assert "termin.ics" in page.text
    attachment = queued.attachments.get()
    download = client.get(f"/demo/postausgang/{queued.pk}/anhang/{attachment.pk}/")
    assert b"".join(download.streaming_content) == calendar_file
    assert download["Content-Disposition"] == 'attachment; filename="termin.ics"'


@pytest.mark.django_db
def test_malformed_or_oversized_attachments_are_refused():
    with pytest.raises(ValueError, match="type"):
        queue_notice(attachments=[mail.Attachment("a.ics", b"x", "calendar")])
    big = b"x" * (mail.ATTACHMENT_MAX_BYTES + 1)
    with pytest.raises(ValueError, match="larger"):
        queue_notice(attachments=[mail.Attachment("a.bin", big, "application/octet-stream")])
    assert not OutgoingEmail.objects.exists()

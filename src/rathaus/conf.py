"""Typed configuration from ``RATHAUS_*`` environment variables.

Every setting the operator may change is declared here once, with a type, a default that works on
one machine and a help text. ``docs/configuration.md`` is generated from these declarations
(``rathaus config-docs``), and a test fails when the page and the code disagree.

Longer than 600 lines on purpose: most of it is the one ordered list of variables, which the
reference page follows; splitting the list would only scatter it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PREFIX = "RATHAUS_"


class ConfigurationError(Exception):
    """A ``RATHAUS_*`` variable holds a value that cannot be used; the message names it."""


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _parse_int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


def _parse_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _parse_str(raw: str) -> str:
    return raw.strip()


def _parse_positive_int(raw: str) -> int:
    value = _parse_int(raw)
    if value < 1:
        raise ValueError("expected a whole number of at least 1")
    return value


def _parse_non_negative_int(raw: str) -> int:
    value = _parse_int(raw)
    if value < 0:
        raise ValueError("expected a whole number of at least 0")
    return value


def _parse_port(raw: str) -> int:
    port = _parse_int(raw)
    if not 1 <= port <= 65535:
        raise ValueError("expected a TCP port between 1 and 65535")
    return port


def _parse_log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level


VIRUS_SCANNERS = ("none", "clamav")  # = rathaus.core.scanning.scanners (checked: rathaus.E021)


FILE_STORAGES = ("filesystem", "s3")  # the storage alias "files" (ADR 0019)


DCAT_PROFILES = ("3.0", "2.0")  # = rathaus.opendata.dcat.rdf.PROFILES


def _one_of(values: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in values:
            raise ValueError(f"expected one of {', '.join(values)}")
        return value

    return parse


def _parse_clamd_address(raw: str) -> str:
    value = raw.strip()
    if not value or value.startswith("/"):
        return value
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "tcp" or not parts.hostname or port is None or parts.path not in {"", "/"}:
        raise ValueError("expected a socket path like /run/clamav/clamd.ctl or tcp://host:3310")
    return value


@dataclass(frozen=True)
class EmailTransport:
    """Where outgoing e-mail goes: the database outbox only, or an SMTP server."""

    outbox: bool
    host: str = ""
    port: int = 0
    username: str = ""
    password: str = ""
    use_tls: bool = False  # STARTTLS after connecting (smtp+tls://)
    use_ssl: bool = False  # TLS from the first byte (smtps://)


_SMTP_SCHEMES = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "smtps": (465, False, True),
}


def _parse_email_url(raw: str) -> EmailTransport:
    # The messages never repeat the value: it may contain a password.
    value = raw.strip()
    if value.lower() == "outbox":
        return EmailTransport(outbox=True)
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in _SMTP_SCHEMES:
        raise ValueError(
            "expected outbox or a URL smtp://user:password@host:port "
            "(or smtp+tls:// for STARTTLS, smtps:// for implicit TLS)"
        )
    default_port, use_tls, use_ssl = _SMTP_SCHEMES[scheme]
    if not parts.hostname:
        raise ValueError("the mail server's host name is missing")
    try:
        port = default_port if parts.port is None else parts.port
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError("the port must be a number between 1 and 65535")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ValueError(
            "unexpected path, query or fragment (percent-encode / ? # in user name and password)"
        )
    username = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if password and not username:
        raise ValueError("a password needs a user name")
    return EmailTransport(
        outbox=False,
        host=parts.hostname,
        port=port,
        username=username,
        password=password,
        use_tls=use_tls,
        use_ssl=use_ssl,
    )


def _parse_email_address(raw: str) -> str:
    value = raw.strip()
    if any(char in value for char in "\r\n"):
        raise ValueError("expected one line")
    _name, address = parseaddr(value)
    local, _at, domain = address.rpartition("@")
    if not local or not domain or " " in address:
        raise ValueError("expected an address like Gemeinde <noreply@example.de>")
    return value


def _parse_url(raw: str) -> str:
    if raw.strip() and urlsplit(raw.strip()).scheme not in {"http", "https"}:
        raise ValueError("expected an http:// or https:// address")
    return raw.strip()


def _parse_mqtt_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme != "mqtt" or not parts.hostname:
        raise ValueError("expected an address like mqtt://127.0.0.1:1883")
    try:
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise ValueError("expected a TCP port between 1 and 65535") from None
    return raw.strip()


def _parse_hour(raw: str) -> int:
    hour = _parse_int(raw)
    if not 0 <= hour <= 23:
        raise ValueError("expected an hour between 0 and 23")
    return hour


def _parse_networks(raw: str) -> list[str]:
    import ipaddress

    networks = _parse_list(raw)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ValueError(f"not an IP address or network: {network}") from None
    return networks


TRUST_LEVELS = ("basic", "substantial", "high")  # = rathaus.accounts.models.TrustLevel
SAML_CLAIMS = ("sub", "given_name", "family_name", "email")  # = accounts.providers.saml.CLAIMS


def _parse_attribute_map(raw: str) -> list[str]:
    items = _parse_list(raw)
    seen: set[str] = set()
    for item in items:
        claim, sep, name = item.partition("=")
        claim = claim.strip()
        if not sep or not name.strip() or claim not in SAML_CLAIMS or claim in seen:
            raise ValueError(
                f"expected claim=attribute pairs, each claim once, claims from "
                f"{', '.join(SAML_CLAIMS)}; got {item!r}"
            )
        seen.add(claim)
    return items


def _parse_key_list(raw: str) -> dict[str, str]:
    """``keyid:secret,keyid2:secret2`` as {key id: secret}, in the order given."""
    keys: dict[str, str] = {}
    for item in _parse_list(raw):
        key_id, sep, secret = item.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not key_id or not secret or key_id in keys:
            raise ValueError("expected keyid:secret pairs separated by commas, each id once")
        keys[key_id] = secret
    return keys


_PARSERS: dict[str, Callable[[str], Any]] = {
    "hour": _parse_hour,
    "network list": _parse_networks,
    "boolean": _parse_bool,
    "integer": _parse_int,
    "positive integer": _parse_positive_int,
    "non-negative integer": _parse_non_negative_int,
    "list": _parse_list,
    "string": _parse_str,
    "port": _parse_port,
    "log level": _parse_log_level,
    "e-mail URL": _parse_email_url,
    "e-mail address": _parse_email_address,
    "virus scanner": _one_of(VIRUS_SCANNERS),
    "clamd address": _parse_clamd_address,
    "file storage": _one_of(FILE_STORAGES),
    "DCAT-AP.de version": _one_of(DCAT_PROFILES),
    "URL": _parse_url,
    "MQTT URL": _parse_mqtt_url,
    "trust level": _one_of(TRUST_LEVELS),
    "attribute map": _parse_attribute_map,
    "key list": _parse_key_list,
}


@dataclass(frozen=True)
class Variable:
    """One configuration variable: its name without prefix, type, default and help text."""

    name: str
    kind: str
    default: str
    help: str
    secret: bool = False

    @property
    def env_name(self) -> str:
        return PREFIX + self.name

    def parse(self, environ: Mapping[str, str]) -> Any:
        raw = environ.get(self.env_name)
        if raw is None:
            raw = self.default
        try:
            return _PARSERS[self.kind](raw)
        except ValueError as exc:
            shown = "(hidden)" if self.secret else repr(raw)
            raise ConfigurationError(f"{self.env_name}: {exc}, got {shown}") from None


DEFAULT_SECRET_KEY = "insecure-development-key-change-me-before-production"  # noqa: S105 (the known value production refuses)

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "DEBUG",
        "boolean",
        "true",
        "Development mode with detailed error pages; the development flag. make run sets it to "
        "false unless given (make run RATHAUS_DEBUG=true). Without debug and without "
        "RATHAUS_DEMO the installation is in production mode: it refuses the default secret key "
        "and the demo commands and turns on secure cookies, HTTPS redirect and HSTS.",
    ),
    Variable(
        "DEMO",
        "boolean",
        "false",
        "A demo installation on one machine (make run sets it): demo data and the demo mailbox "
        "are allowed, it is served over plain HTTP, and without RATHAUS_SECRET_KEY it creates a "
        "random key in secret-key in the data directory. Never set it in production.",
    ),
    Variable(
        "SECRET_KEY",
        "string",
        DEFAULT_SECRET_KEY,
        "Key for signing sessions and tokens. Must be a long random value in production.",
        secret=True,
    ),
    Variable(
        "AUDIT_KEY",
        "string",
        "",
        "Key (at least 32 characters) for the keyed hashes (HMAC-SHA256) of the audit log and its "
        "checkpoints. Keep it outside the database and its backups. Empty: derived from the "
        "secret key, which production mode reports as a warning (ADR 0016).",
        secret=True,
    ),
    Variable(
        "AUDIT_KEY_FILE",
        "string",
        "",
        "File with the audit key instead of RATHAUS_AUDIT_KEY: the current key on the first "
        "line, older keys on the following lines (kept to verify entries made with them).",
    ),
    Variable(
        "AUDIT_CHECKPOINT_FILE",
        "string",
        "",
        "Append-only file for the signed checkpoints of the audit chains (hourly); empty means "
        "audit-checkpoints.jsonl in the data directory. Best on other storage than the database.",
    ),
    Variable(
        "ALLOWED_HOSTS",
        "list",
        "localhost,.localhost,127.0.0.1,[::1]",
        "Comma-separated host names the server answers to; requests for other hosts get 400. "
        "Each authority's own host names must be listed here too.",
    ),
    Variable(
        "CSRF_TRUSTED_ORIGINS",
        "list",
        "",
        "Comma-separated origins (https://portal.example.de) allowed to send forms, needed "
        "behind a TLS-terminating proxy.",
    ),
    Variable(
        "BEHIND_TLS_PROXY",
        "boolean",
        "false",
        "Trust the X-Forwarded-Proto header of a reverse proxy that terminates TLS; only "
        "from the addresses in RATHAUS_TRUSTED_PROXIES, or this machine when that is empty.",
    ),
    Variable(
        "HSTS_SECONDS",
        "integer",
        "31536000",
        "Strict-Transport-Security max-age in production mode (0 turns HSTS off).",
    ),
    Variable(
        "DATABASE_URL",
        "string",
        "",
        "Database connection as a URL, e.g. postgres://user:password@host:5432/rathaus. Empty "
        "means the embedded SQLite database rathaus.sqlite3 in the data directory (WAL mode).",
        secret=True,
    ),
    Variable(
        "DATA_DIR",
        "string",
        "var",
        "Directory for the SQLite database, uploaded files (media/) and collected static files; "
        "relative paths are taken from the current working directory.",
    ),
    Variable(
        "PORT",
        "port",
        "8000",
        "TCP port of the web server started by make run and rathaus run.",
    ),
    Variable(
        "WEB_WORKERS",
        "integer",
        "2",
        "Number of web server processes started by rathaus serve (gunicorn).",
    ),
    Variable(
        "DEFAULT_AUTHORITY",
        "string",
        "barleben",
        "Short name (slug) of the authority that answers requests whose host name is not "
        "assigned to any authority.",
    ),
    Variable(
        "LOG_LEVEL",
        "log level",
        "INFO",
        "Log level of the rathaus loggers (DEBUG, INFO, WARNING, ERROR, CRITICAL).",
    ),
    Variable(
        "HEALTH_TOKEN",
        "string",
        "",
        "Token for the details of /health and /api/v1/health (counts, error names), sent as "
        "Authorization: Bearer <token>; everyone else sees only ok or error per component. "
        "Empty: details only for logged-in staff.",
        secret=True,
    ),
    Variable(
        "WORKER_HEARTBEAT_SECONDS",
        "integer",
        "10",
        "How often a running task worker records that it is alive.",
    ),
    Variable(
        "WORKER_STALE_SECONDS",
        "integer",
        "60",
        "A worker whose last heartbeat is older than this counts as down in /health.",
    ),
    Variable(
        "TASK_MAX_ATTEMPTS",
        "positive integer",
        "5",
        "How often a background task is started before it is set aside for staff (dead letter): "
        "a task whose worker died, or that ended with an error, is tried again until then.",
    ),
    Variable(
        "TASK_SWEEP_SECONDS",
        "positive integer",
        "30",
        "How often one worker looks for tasks of dead workers and failed tasks to run again.",
    ),
    Variable(
        "TASK_STUCK_SECONDS",
        "positive integer",
        "600",
        "/health reports an error when the oldest waiting task has waited longer than this.",
    ),
    Variable(
        "RECONCILE_MINUTES",
        "positive integer",
        "15",
        "How often the worker looks for work that has no task (a submission without a case or "
        "receipt, an e-mail not sent) and queues it again; rathaus reconcile does it by hand.",
    ),
    Variable(
        "RECONCILE_AFTER_SECONDS",
        "positive integer",
        "300",
        "The reconciliation leaves alone what is younger than this, as its task may still run.",
    ),
    Variable(
        "RECONCILE_LOOKBACK_HOURS",
        "positive integer",
        "72",
        "The reconciliation checks work of this many past hours; older work (imported, or from "
        "before an upgrade) does not suddenly get its receipt.",
    ),
    Variable(
        "LOGIN_FAILURE_LIMIT",
        "integer",
        "5",
        "Failed logins (staff and citizens) for one user name from one client address before "
        "that address may not try this user name for a while. The address is read as for the "
        "rate limits (RATHAUS_TRUSTED_PROXIES); other addresses, the owner's, are not locked.",
    ),
    Variable(
        "LOGIN_COOLOFF_MINUTES",
        "integer",
        "15",
        "How long a user name stays locked for the client address that failed too often.",
    ),
    Variable(
        "LOGIN_SLOWDOWN_AFTER",
        "positive integer",
        "20",
        "Failed logins for one user name from all addresses together (since its last successful "
        "login) after which logins to it are slowed down: each further failure doubles the wait "
        "before the next attempt, up to RATHAUS_LOGIN_SLOWDOWN_MAX_SECONDS. Earlier attempts "
        "get 429 with Retry-After. The holder is told by e-mail and at the next login.",
    ),
    Variable(
        "LOGIN_SLOWDOWN_MAX_SECONDS",
        "positive integer",
        "300",
        "The longest wait between two login attempts for a slowed-down user name.",
    ),
    Variable(
        "CITIZEN_IDLE_MINUTES",
        "positive integer",
        "15",
        "A citizen's session ends after this many minutes without a request.",
    ),
    Variable(
        "CITIZEN_SESSION_HOURS",
        "positive integer",
        "12",
        "A citizen's session ends this many hours after the login, active or not.",
    ),
    Variable(
        "STAFF_IDLE_MINUTES",
        "positive integer",
        "60",
        "A staff session ends after this many minutes without a request.",
    ),
    Variable(
        "REGISTRATION_LIMIT_PER_HOUR",
        "positive integer",
        "10",
        "Account registrations accepted per IP address and hour; more are answered with 429.",
    ),
    Variable(
        "DRAFT_DAYS",
        "positive integer",
        "30",
        "Days an unfinished online application is kept after its last change; the link to "
        "resume it, sent by e-mail, is valid as long.",
    ),
    Variable(
        "OBSERVATION_RETENTION_DAYS",
        "non-negative integer",
        "400",
        "Days raw sensor observations are kept; older ones are removed by the worker after their "
        "hourly and daily aggregates are stored. 0 keeps them forever.",
    ),
    Variable(
        "ALERT_SUBSCRIBE_LIMIT_PER_HOUR",
        "positive integer",
        "10",
        "Alert subscription forms accepted per IP address and hour; more are answered with 429. "
        "Each address gets at most one confirmation e-mail per hour anyway.",
    ),
    Variable(
        "PUBLIC_URL",
        "string",
        "http://localhost:8000",
        "The address under which citizens reach this installation, without a trailing slash. "
        "Links in e-mails lead here when this address reaches the authority (or it has no host "
        "names), otherwise to the authority's first host name with this scheme and port.",
    ),
    Variable(
        "PROCESS_SCRIPT_TASKS",
        "boolean",
        "false",
        "Allow script tasks (Python code inside BPMN models). Off, models with script tasks are "
        "refused on upload; switch it on only if every person who uploads models may run code "
        "on the server.",
    ),
    Variable(
        "OTP_ISSUER",
        "string",
        "rathaus",
        "Issuer name shown in authenticator apps next to the staff account.",
    ),
    Variable(
        "EMAIL_URL",
        "e-mail URL",
        "outbox",
        "Mail server for outgoing e-mail: smtp://user:password@host:port (port 25 by default), "
        "smtp+tls://… (STARTTLS, port 587) or smtps://… (implicit TLS, port 465); "
        "percent-encode special characters in user name and password. outbox sends nothing: "
        "e-mails are only stored in the database and shown on /demo/postausgang/ (demo mode) "
        "and in the admin. Production mode starts with outbox too (and /health stays green), "
        "so set a mail server before citizens register.",
        secret=True,
    ),
    Variable(
        "EMAIL_FROM",
        "e-mail address",
        "rathaus <noreply@localhost>",
        "Sender of outgoing e-mail, with or without a display name "
        "(Gemeinde Barleben <noreply@barleben.de>).",
    ),
    Variable(
        "OIDC_ISSUER",
        "string",
        "",
        "Issuer URL of an OpenID Connect identity provider (BundID, a Servicekonto), e.g. "
        "https://id.example.de/realms/buerger; its /.well-known/openid-configuration is read "
        "at each login. Empty turns the login with an identity provider off.",
    ),
    Variable(
        "OIDC_CLIENT_ID",
        "string",
        "",
        "Client ID of rathaus registered at the OpenID Connect identity provider.",
    ),
    Variable(
        "OIDC_CLIENT_SECRET",
        "string",
        "",
        "Client secret that belongs to RATHAUS_OIDC_CLIENT_ID.",
        secret=True,
    ),
    Variable(
        "OIDC_LABEL",
        "string",
        "Mit BundID oder Servicekonto anmelden",
        "Text of the button on /konto/anmelden/ that starts the login with the identity provider.",
    ),
    Variable(
        "OIDC_ACR_CLAIM",
        "string",
        "acr",
        "ID token claim that carries the assurance level; eIDAS (http://eidas.europa.eu/LoA/…) "
        "and BSI TR-03107-1 values (STORK-QAA-Level-1…4, basic, substantial, high) are mapped "
        "to the trust levels basic, substantial and high.",
    ),
    Variable(
        "SAML_IDP_METADATA",
        "string",
        "",
        "SAML 2.0 metadata of the identity provider (BundID): a file path, or an https:// "
        "address, read at the first login and again after an hour. It must describe exactly "
        "one identity provider, whose keys sign the assertions. Empty turns the login with "
        "SAML off. Needs the xmlsec1 program.",
    ),
    Variable(
        "SAML_SP_ENTITY_ID",
        "string",
        "",
        "Entity id of rathaus as SAML service provider, as registered at the identity provider. "
        "Empty means the address of its metadata, <public address>/konto/saml/metadaten/.",
    ),
    Variable(
        "SAML_SP_KEY",
        "string",
        "",
        "Path of the PEM private key of rathaus as SAML service provider; it signs the "
        "authentication requests and the metadata, and decrypts the assertions.",
    ),
    Variable(
        "SAML_SP_CERT",
        "string",
        "",
        "Path of the PEM certificate for RATHAUS_SAML_SP_KEY, published in the service provider "
        "metadata for signing and encryption.",
    ),
    Variable(
        "SAML_REQUIRE_ENCRYPTED",
        "boolean",
        "true",
        "Accept only encrypted SAML assertions (BundID encrypts them). Turn off only for an "
        "identity provider that cannot encrypt; the assertion must be signed either way.",
    ),
    Variable(
        "SAML_REQUESTED_LEVEL",
        "trust level",
        "substantial",
        "Trust level asked of the SAML identity provider at login (basic, substantial or high; "
        "sent as STORK-QAA-Level-1, -3 or -4 with comparison minimum). A service that needs "
        "more asks for more. The level the provider confirms is what counts.",
    ),
    Variable(
        "SAML_ATTRIBUTES",
        "attribute map",
        "sub=urn:oid:1.3.6.1.4.1.25484.494450.3,given_name=urn:oid:2.5.4.42,"
        "family_name=urn:oid:2.5.4.4,email=urn:oid:0.9.2342.19200300.100.1.3",
        "Which SAML attribute gives which detail, as claim=attribute pairs (sub, given_name, "
        "family_name, email). The default names BundID's attributes: bPK2 as the person's "
        "identifier, given name, surname and e-mail address (confirmed by BundID). Without sub "
        "the persistent NameID identifies the person.",
    ),
    Variable(
        "SAML_LABEL",
        "string",
        "Mit BundID anmelden",
        "Text of the button on /konto/anmelden/ that starts the login with the SAML identity "
        "provider.",
    ),
    Variable(
        "VIRUS_SCANNER",
        "virus scanner",
        "none",
        "Virus scanner for uploaded files: clamav (a clamd daemon at RATHAUS_CLAMD_ADDRESS) or "
        "none (nothing is scanned; for development, production mode warns). With clamav an "
        "upload is refused while clamd cannot be reached.",
    ),
    Variable(
        "REGISTER_LOOKUP",
        "string",
        "staff",
        "How the data of a Meldebescheinigung is taken from the population register: staff (the "
        "clerk checks the register and confirms or corrects the data on the case page) or "
        "extract (looked up in the file RATHAUS_REGISTER_EXTRACT; for the demo and tests, the "
        "clerk confirms whatever is not found there).",
    ),
    Variable(
        "EXCHANGE_KEY_FILE",
        "string",
        "",
        "Path of this installation's private exchange keys (a JWK set: one key to decrypt "
        "submissions sent to its destinations, one to sign its events), made by `rathaus "
        "exchange-keys`. Kept outside the database, readable by the rathaus user only. Empty: "
        "the installation neither sends nor receives exchanged submissions.",
        secret=True,
    ),
    Variable(
        "MAP_TILE_URL",
        "URL",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Map tiles for the route map of the assembly notice and the station maps of the "
        "dashboards at /daten/ (Leaflet URL template with {z}, {x} and {y}). The page's Content "
        "Security Policy allows images from its host. Use your own tile server for more than "
        "light use (OpenStreetMap's tile usage policy). Empty: the route map has no background "
        "(the route can still be drawn, the list of streets is what counts); the dashboards show "
        "their plain station map and list.",
    ),
    Variable(
        "MAP_ATTRIBUTION",
        "string",
        "© OpenStreetMap contributors",
        "The attribution shown on the map, as the tile provider requires (plain text).",
    ),
    Variable(
        "PAYMENT_PROVIDER",
        "string",
        "invoice",
        "The payment provider a cash office starts with (each authority's cash office can choose "
        "another on its settings page): invoice (no online payment: the cash reference is "
        "printed, staff record the money when it arrives) or sandbox (the payment sandbox, a "
        "separate process, see docs/payments.md).",
    ),
    Variable(
        "PAYMENT_SANDBOX_URL",
        "URL",
        "",
        "Address of the payment sandbox (rathaus payment-sandbox, a separate process) that the "
        "sandbox provider calls, e.g. http://127.0.0.1:8001. `rathaus run` starts the sandbox "
        "itself when this address is on this machine and RATHAUS_DEMO is on.",
    ),
    Variable(
        "PAYMENT_SANDBOX_API_KEY",
        "string",
        "",
        "The key (Authorization: Bearer) with which rathaus calls the payment sandbox; the "
        "sandbox refuses calls without it.",
        secret=True,
    ),
    Variable(
        "PAYMENT_WEBHOOK_KEYS",
        "key list",
        "",
        "Keys that sign the payment provider's notifications, as keyid:secret pairs separated "
        "by commas. A notification signed with any of them is accepted, so a new key can be "
        "added before the provider switches to it and the old one removed afterwards; the "
        "sandbox signs with the first. Empty: every notification is rejected.",
        secret=True,
    ),
    Variable(
        "PAYMENT_WEBHOOK_WINDOW",
        "positive integer",
        "300",
        "Seconds a signed notification is accepted after (and before) its timestamp; an older "
        "one is rejected as a replay.",
    ),
    Variable(
        "REGISTER_EXTRACT",
        "string",
        "",
        "Path of the register extract (a JSON list of people with first_name, family_name, "
        "date_of_birth, street, postal_code, place, moved_in_on) read by "
        "RATHAUS_REGISTER_LOOKUP=extract; relative paths are taken from the current working "
        "directory.",
    ),
    Variable(
        "CLAMD_ADDRESS",
        "clamd address",
        "",
        "Where clamd listens: a Unix socket path (/run/clamav/clamd.ctl on Debian) or "
        "tcp://host:3310.",
    ),
    Variable(
        "CLAMD_TIMEOUT_SECONDS",
        "positive integer",
        "30",
        "How long an upload waits for clamd before it is refused as not checkable.",
    ),
    Variable(
        "UPLOAD_MAX_BYTES",
        "positive integer",
        "20971520",
        "Largest single uploaded file in bytes (20 MiB), whatever a form allows; a larger "
        "file is refused while it arrives.",
    ),
    Variable(
        "UPLOAD_REQUEST_MAX_BYTES",
        "positive integer",
        "52428800",
        "Largest request body with uploads in bytes (50 MiB); a larger request is refused "
        "from its Content-Length before anything is read.",
    ),
    Variable(
        "FILE_STORAGE",
        "file storage",
        "filesystem",
        "Where stored files are kept, each content once under its SHA-256: filesystem (media/ in "
        "the data directory) or s3 (a bucket of an S3-compatible store, RATHAUS_S3_*).",
    ),
    Variable("S3_ENDPOINT_URL", "URL", "", "Address of the S3 store; empty means Amazon S3."),
    Variable("S3_BUCKET", "string", "", "Bucket for the stored files (must exist); needed for s3."),
    Variable("S3_REGION", "string", "", "Region of the bucket; empty for the store's default."),
    Variable("S3_ACCESS_KEY_ID", "string", "", "Access key for the object store."),
    Variable("S3_SECRET_ACCESS_KEY", "string", "", "Secret of the access key.", secret=True),
    Variable(
        "APPOINTMENT_HOLD_MINUTES",
        "positive integer",
        "15",
        "How long a booked appointment is held for the citizen to confirm it by the link in the "
        "e-mail; then the slot is free again.",
    ),
    Variable(
        "APPOINTMENT_OFFER_MINUTES",
        "positive integer",
        "120",
        "How long a freed appointment is held for the next person on the waiting list to "
        "confirm it; then it goes to the person after them.",
    ),
    Variable(
        "APPOINTMENT_REMINDER_HOUR",
        "hour",
        "9",
        "Hour of the day (0 to 23, German time) from which reminders for the next day's "
        "appointments are sent.",
    ),
    Variable(
        "TRUSTED_PROXIES",
        "network list",
        "",
        "Comma-separated addresses or networks (10.0.0.0/8) of reverse proxies in front of "
        "rathaus. Only for requests from these is the client address taken from the "
        "X-Forwarded-For header (for rate limits); otherwise the connection's address counts. "
        "Requests from other addresses lose their X-Forwarded-* headers (empty: only this "
        "machine, 127.0.0.1 and ::1, may send them).",
    ),
    Variable(
        "RATE_LIMIT_AVAILABILITY",
        "positive integer",
        "120",
        "Appointment calendar and free-time requests (pages and API) one client address may "
        "make per minute; more are answered with 429 Too Many Requests.",
    ),
    Variable(
        "RATE_LIMIT_BOOKING",
        "positive integer",
        "20",
        "Booking attempts (reserve, move, join the waiting list; pages and API) one client "
        "address may make per hour; more are answered with 429 Too Many Requests.",
    ),
    Variable(
        "XDOMEA_ARCHIVE",
        "string",
        "",
        "Name of the archive that receives the e-file's xdomea offer lists (0501) and "
        "hand-overs (0503). Empty: the authority's parent authority, or else the state archive "
        "of its Land (Landesarchiv …).",
    ),
    Variable(
        "OCR_TIMEOUT",
        "positive integer",
        "300",
        "Seconds the task worker gives text recognition (OCR) of one scanned document or image "
        "in the e-file; a scan that takes longer is marked as not readable and kept as it is.",
    ),
    # The open data catalogue as DCAT-AP.de RDF (docs/dcat-export.md).
    Variable(
        "DCAT_PAGE_SIZE",
        "positive integer",
        "100",
        "How many datasets one page of the RDF catalogue (/daten/katalog/catalog.ttl …) holds; "
        "the pages are linked as a Hydra PartialCollectionView (?page=N).",
    ),
    Variable(
        "DCAT_PROFILE",
        "DCAT-AP.de version",
        "3.0",
        "The DCAT-AP.de version the RDF export follows when the request names none "
        "(?profile=2.0 or 3.0): 3.0 or 2.0. They differ in the type of dcat:byteSize and the "
        "checksum algorithm vocabulary.",
    ),
    Variable(
        "DCAT_CONTRIBUTOR_ID",
        "string",
        "",
        "dcatde:contributorID of the exported datasets: an ID of the DCAT-AP.de list of data "
        "providers (e.g. landSachsenAnhalt) or a full URI. Empty: the portal of the authority's "
        "Land through which GovData harvests it.",
    ),
    # The OParl 1.1 server of the council information (docs/oparl.md).
    Variable(
        "OPARL_PAGE_SIZE",
        "positive integer",
        "100",
        "How many objects one page of an OParl list (/oparl/v1/body/<id>/paper/ …) holds. A "
        "client may ask for fewer with elementsPerPage (or limit), never for more.",
    ),
    # The SensorThings API, reading side (docs/sensorthings.md).
    Variable(
        "STA_PAGE_SIZE",
        "positive integer",
        "100",
        "How many entities one page of a SensorThings collection (/sta/v1.1/…) holds when the "
        "client gives no $top; more are reached through @iot.nextLink.",
    ),
    Variable(
        "STA_MAX_TOP",
        "positive integer",
        "1000",
        "The largest page of a SensorThings collection. A larger $top is answered with this many "
        "entities and an @iot.nextLink to the rest (as FROST-Server does).",
    ),
    Variable(
        "STA_MAX_SKIP",
        "positive integer",
        "10000",
        "The largest $skip a SensorThings request may give; a larger one is refused (400) with a "
        "hint to follow @iot.nextLink, which stays fast however deep it goes.",
    ),
    Variable(
        "STA_STATEMENT_TIMEOUT_MS",
        "positive integer",
        "10000",
        "On PostgreSQL, longest time in milliseconds one database statement of a SensorThings "
        "GET may run; a request that takes longer is answered with 503 and a hint to ask for "
        "less.",
    ),
    Variable(
        "STA_MAX_ENTITIES",
        "positive integer",
        "20000",
        "Most entities one SensorThings response may carry, counting every nested $expand at "
        "its $top (a page of 100 with one $expand of 100 each is 10,100); a request that could "
        "carry more is refused (400).",
    ),
    Variable(
        "STA_MAX_COUNT",
        "positive integer",
        "100000",
        "SensorThings counts ($count=true) stop at this number; a larger collection is "
        "reported with this number as its @iot.count.",
    ),
    # Harvesting other DCAT-AP.de catalogues and the weekly link check (docs/dcat-import.md).
    Variable(
        "DCAT_IMPORT_MAX_BYTES",
        "positive integer",
        "52428800",
        "Largest catalogue file or catalogue page (in bytes) that `rathaus import-dcat` reads; "
        "a larger one stops the import with a message and nothing is imported.",
    ),
    Variable(
        "DCAT_IMPORT_MAX_PAGES",
        "positive integer",
        "500",
        "Most pages (hydra:next) `rathaus import-dcat` follows for one catalogue address; a "
        "catalogue with more stops the import with a message and nothing is imported.",
    ),
    Variable(
        "DCAT_IMPORT_MAX_TOTAL_BYTES",
        "positive integer",
        "209715200",
        "Most bytes `rathaus import-dcat` reads for one catalogue, all its pages together; a "
        "larger catalogue stops the import with a message and nothing is imported.",
    ),
    Variable(
        "DCAT_IMPORT_MAX_TRIPLES",
        "positive integer",
        "2000000",
        "Most RDF statements (triples) `rathaus import-dcat` reads for one catalogue; a larger "
        "catalogue stops the import with a message and nothing is imported.",
    ),
    Variable(
        "DCAT_IMPORT_TIMEOUT",
        "positive integer",
        "60",
        "Seconds `rathaus import-dcat` waits for one catalogue page.",
    ),
    Variable(
        "LINK_CHECK_TIMEOUT",
        "positive integer",
        "10",
        "Seconds the weekly link check waits for one download or access address of a dataset "
        "before it marks the link as broken.",
    ),
    Variable(
        "LINK_CHECK_BATCH",
        "positive integer",
        "300",
        "Most distributions the link check takes in one hourly run (those not checked for a "
        "week, the longest unchecked first); with more links than 168 times this, some are "
        "checked less often than weekly.",
    ),
    Variable(
        "FETCH_ALLOWED_NETWORKS",
        "network list",
        "",
        "Comma-separated private networks (10.0.0.0/8) that the catalogue import, the link "
        "check and the OParl import may reach, e.g. an intranet catalogue. Addresses in "
        "private, loopback and link-local networks are refused otherwise.",
    ),
    # The OParl importer (docs/oparl-import.md).
    Variable(
        "OPARL_IMPORT_TIMEOUT",
        "positive integer",
        "30",
        "Seconds `rathaus import-oparl` waits for one answer of the OParl server; a slower "
        "page is reported and skipped.",
    ),
    Variable(
        "OPARL_IMPORT_DEADLINE",
        "positive integer",
        "3600",
        "Seconds one `rathaus import-oparl` run may read from the server in all; then the walk "
        "stops with a report and keeps what it read.",
    ),
    Variable(
        "OPARL_IMPORT_MAX_BYTES",
        "positive integer",
        "20971520",
        "Largest answer (in bytes) `rathaus import-oparl` reads for one page or object; a "
        "larger one is reported and skipped.",
    ),
    Variable(
        "OPARL_IMPORT_MAX_PAGES",
        "positive integer",
        "20000",
        "Most pages and objects `rathaus import-oparl` asks the server for in one run "
        "(`--max-pages` lowers it); then the walk stops with a report.",
    ),
    Variable(
        "OPARL_IMPORT_RETRIES",
        "non-negative integer",
        "3",
        "How often `rathaus import-oparl` asks again after a server error (5xx, 429), with a "
        "pause of 1, 2, 4 … seconds, before it reports and skips the page.",
    ),
    # SensorThings MQTT extension (docs/sensorthings-mqtt.md, ADR 0059)
    Variable(
        "MQTT_URL",
        "MQTT URL",
        "mqtt://127.0.0.1:1883",
        "The MQTT broker to which sensors publish observations (topics v1.1/Datastreams(<id>)/"
        "Observations) and from which `rathaus mqtt-consumer` stores them; user and password may "
        "be given in the address (mqtt://user:password@host:port). `rathaus run` starts a local "
        "mosquitto itself when the address is on this machine and nothing listens there yet; a "
        "broker elsewhere is the operator's.",
        secret=True,
    ),
    Variable(
        "MQTT_BATCH_SIZE",
        "positive integer",
        "1000",
        "Most MQTT messages the consumer stores in one database transaction.",
    ),
    Variable(
        "MQTT_BATCH_MILLISECONDS",
        "positive integer",
        "200",
        "Longest time in milliseconds the consumer waits for more messages before it stores a "
        "batch that is not full.",
    ),
)

_BY_NAME = {variable.name: variable for variable in VARIABLES}


def env(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The parsed value of ``RATHAUS_<name>``, or its default; ConfigurationError if malformed."""
    return _BY_NAME[name].parse(os.environ if environ is None else environ)


def demo_secret_key(path: Path) -> str:
    """The demo installation's secret key from ``path``, created (random, 0600) when missing."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigurationError(f"RATHAUS_DEMO: cannot read the key {path}: {reason}") from None
    if len(key) >= 50:
        return key
    key = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(key + "\n")
    return key


def render_markdown() -> str:
    """The configuration reference page, generated from :data:`VARIABLES`."""
    lines = [
        "# Configuration",
        "",
        "rathaus is configured only through environment variables with the prefix `RATHAUS_`.",
        "Every variable has a default that works for the embedded single-machine set-up (SQLite,",
        "one web process, one task worker). A malformed value stops the start with a message that",
        "names the variable.",
        "",
        "This page is generated from `src/rathaus/conf.py` by `rathaus config-docs`; a test fails",
        "when it is out of date.",
        "",
        "| variable | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for variable in VARIABLES:
        default = f"`{variable.default}`" if variable.default else "(empty)"
        help_text = variable.help.replace("|", "\\|")
        lines.append(f"| `{variable.env_name}` | {variable.kind} | {default} | {help_text} |")
    lines.append("")
    return "\n".join(lines)

"""Django settings for rathaus, read from ``RATHAUS_*`` environment variables (see conf.py).
One module holds the settings of every app (the conventions ask for one): longer than 600 lines."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from rathaus.conf import (
    DEFAULT_SECRET_KEY,
    ConfigurationError,
    EmailTransport,
    demo_secret_key,
    env,
    metrics_directory,
)

PACKAGE_DIR = Path(__file__).resolve().parent

DEBUG: bool = env("DEBUG")
# A demo installation (make run, ADR 0025) runs without debug but may load demo data, shows the
# demo mailbox and is served over plain HTTP on this machine. A production installation is
# neither: it refuses the demo commands. Kept apart from DEBUG, which the test runner switches off.
RATHAUS_DEMO: bool = env("DEMO")
RATHAUS_PRODUCTION = not DEBUG and not RATHAUS_DEMO
DATA_DIR = Path(env("DATA_DIR")).resolve()
# /metrics (rathaus.core.metrics): prometheus-client's multiprocess mode reads its directory when
# it is first imported, so it is set here, before any metric exists. gunicorn's on_starting hook
# (core/metrics_gunicorn.py) sets one directory per server instance before the workers start.
RATHAUS_METRICS_DIR = metrics_directory(DATA_DIR)
RATHAUS_METRICS_TOKEN: str = env("METRICS_TOKEN")
RATHAUS_METRICS_NETWORKS: list[str] = env("METRICS_NETWORKS")
SECRET_KEY: str = env("SECRET_KEY")
if RATHAUS_DEMO and SECRET_KEY == DEFAULT_SECRET_KEY:
    # The demo's own random key, kept in the data directory so that sessions survive a restart.
    SECRET_KEY = demo_secret_key(DATA_DIR / "secret-key")
if not DEBUG and (SECRET_KEY == DEFAULT_SECRET_KEY or "change-me" in SECRET_KEY.lower()):
    # "change-me" marks the default and any placeholder copied from an example file
    raise ConfigurationError(
        "RATHAUS_SECRET_KEY: production mode (RATHAUS_DEBUG=false) refuses the default or a "
        "placeholder secret key; set a long random value"
    )
if not DEBUG and len(SECRET_KEY) < 32:
    raise ConfigurationError("RATHAUS_SECRET_KEY: must be at least 32 characters in production")

# The audit log's keys (ADR 0016), the current one first; never stored in the database.
_audit_key_file: str = env("AUDIT_KEY_FILE")
if _audit_key_file:
    try:
        _audit_key_text = Path(_audit_key_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ConfigurationError(
            f"RATHAUS_AUDIT_KEY_FILE: cannot read {_audit_key_file}: {reason}"
        ) from None
    RATHAUS_AUDIT_KEYS: list[str] = [
        line.strip() for line in _audit_key_text.splitlines() if line.strip()
    ]
    if not RATHAUS_AUDIT_KEYS:
        raise ConfigurationError(f"RATHAUS_AUDIT_KEY_FILE: {_audit_key_file} holds no key")
else:
    RATHAUS_AUDIT_KEYS = [env("AUDIT_KEY")] if env("AUDIT_KEY") else []
if any(len(key) < 32 for key in RATHAUS_AUDIT_KEYS):
    raise ConfigurationError("RATHAUS_AUDIT_KEY: must be at least 32 characters")
RATHAUS_AUDIT_CHECKPOINT_FILE = Path(
    env("AUDIT_CHECKPOINT_FILE") or DATA_DIR / "audit-checkpoints.jsonl"
).resolve()
# Backups (rathaus.core.backup): the scheduled job's directory, interval and retention.
RATHAUS_BACKUP_DIR: str = env("BACKUP_DIR")
RATHAUS_BACKUP_INTERVAL_HOURS: int = env("BACKUP_INTERVAL_HOURS")
RATHAUS_BACKUP_KEEP: int = env("BACKUP_KEEP")
RATHAUS_PG_BINDIR: str = env("PG_BINDIR")
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

ALLOWED_HOSTS: list[str] = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = env("CSRF_TRUSTED_ORIGINS")
RATHAUS_DEFAULT_AUTHORITY: str = env("DEFAULT_AUTHORITY")
RATHAUS_PORT: int = env("PORT")
RATHAUS_WEB_WORKERS: int = env("WEB_WORKERS")
RATHAUS_HEALTH_TOKEN: str = env("HEALTH_TOKEN")
RATHAUS_WORKER_HEARTBEAT_SECONDS: int = env("WORKER_HEARTBEAT_SECONDS")
RATHAUS_WORKER_STALE_SECONDS: int = env("WORKER_STALE_SECONDS")
# Task reliability (rathaus.core.taskqueue, ADR 0021).
RATHAUS_TASK_MAX_ATTEMPTS: int = env("TASK_MAX_ATTEMPTS")
RATHAUS_TASK_SWEEP_SECONDS: int = env("TASK_SWEEP_SECONDS")
RATHAUS_TASK_STUCK_SECONDS: int = env("TASK_STUCK_SECONDS")
RATHAUS_RECONCILE_MINUTES: int = env("RECONCILE_MINUTES")
RATHAUS_RECONCILE_AFTER_SECONDS: int = env("RECONCILE_AFTER_SECONDS")
RATHAUS_RECONCILE_LOOKBACK_HOURS: int = env("RECONCILE_LOOKBACK_HOURS")

INSTALLED_APPS = [
    "rathaus.core.admin_config.RathausAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "rathaus.core",
    "rathaus.catalog",
    "rathaus.accounts",
    "rathaus.forms",
    "rathaus.cases",
    "rathaus.payments",
    "rathaus.processes",
    "rathaus.appointments",
    "rathaus.legal",
    "rathaus.documents",
    "rathaus.exchange",
    "rathaus.opendata",
    "rathaus.construction",
    "rathaus.certificates",
    "rathaus.assemblies",
    "rathaus.council",
    "rathaus.noticeboard",
    "rathaus.participation",
    "rathaus.events",
    "rathaus.projects",
    "rathaus.schools",
]

MIDDLEWARE = [
    # Outermost: counts and times every answer, static files and refusals included (/metrics).
    "rathaus.core.metrics.MetricsMiddleware",
    # Outermost: every log line of the request carries its id, every answer names it.
    "rathaus.core.requestid.RequestIdMiddleware",
    # First: X-Forwarded-* headers count only from the reverse proxy (RATHAUS_TRUSTED_PROXIES).
    "rathaus.core.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Under /api/ every error the inner layers answer (405, 413, 400, 500, 503) becomes a
    # problem document (ADR 0026).
    "rathaus.core.problems.ApiProblemMiddleware",
    # Outside WhiteNoise, so that static files get the header too.
    "rathaus.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages for anonymous visitors from the cache, before sessions, CSRF and the view run
    # (docs/page-cache.md).
    "rathaus.core.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rathaus.core.middleware.LanguageMiddleware",
    # Before anything reads the body (CSRF does): refuses oversized uploads with 413.
    "rathaus.core.files.limits.UploadLimitMiddleware",
    # A NUL character in the path, query or form is refused with 400 before any view runs.
    "rathaus.core.middleware.BoundedInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rathaus.core.session_timeout.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "rathaus.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rathaus.urls"
WSGI_APPLICATION = "rathaus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rathaus.core.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite in the data directory unless RATHAUS_DATABASE_URL names another server.
_database_url: str = env("DATABASE_URL")
if _database_url:
    try:
        _database = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ConfigurationError(f"RATHAUS_DATABASE_URL: cannot be parsed ({exc})") from None
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "rathaus.sqlite3"),
        # Tests use a file too, so that threads and worker processes share it as in production;
        # one per test run, so that runs side by side do not share it.
        "TEST": {"NAME": str(DATA_DIR / f"test-rathaus-{os.getpid()}.sqlite3")},
    }
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue instead of
    # failing on lock upgrade; WAL lets readers go on while one writer works.
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=134217728;"
            "PRAGMA cache_size=-20000;"
        ),
    }
DATABASES = {"default": _database}
# A streaming replica for the reads of read-only pages (rathaus.core.dbrouter, read-replicas.md).
_replica_url: str = env("DATABASE_REPLICA_URL")
if _replica_url:
    try:
        _replica = dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ConfigurationError(
            f"RATHAUS_DATABASE_REPLICA_URL: cannot be parsed ({exc})"
        ) from None
    if _database["ENGINE"] != _replica["ENGINE"]:
        raise ConfigurationError(
            "RATHAUS_DATABASE_REPLICA_URL: must name the same kind of database as "
            "RATHAUS_DATABASE_URL (a PostgreSQL streaming replica)"
        )
    # Tests keep one database: the replica alias reads the test database under its own name.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["rathaus.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(1, "rathaus.core.dbrouter.ReplicaMiddleware")
# The pages (URL names) whose GET and HEAD requests may read from the replica; a view can also be
# marked with rathaus.core.dbrouter.replica_reads.
RATHAUS_REPLICA_VIEWS: list[str] = [
    "core:home",
    "catalog:browse",
    "catalog:search",
    "catalog:topic",
    "catalog:life_situation",
    "catalog:service",
    "catalog:service_without_key",
]
# The primary keys of every rathaus app (their configs name none of their own); Django's own
# apps keep the AutoField their configs name.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# The shared cache (docs/caching.md): the database cache in table rathaus_cache (migration core
# 0018), or Redis with that table as the fallback while Redis is unreachable.
def cache_settings(url: str) -> dict[str, object]:
    """The default cache for RATHAUS_CACHE_URL (empty: the database cache alone)."""
    database_cache: dict[str, object] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "rathaus_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},
    }
    if not url:
        return database_cache
    return {
        "BACKEND": "rathaus.core.cache.FallbackCache",
        "LOCATION": url,
        "OPTIONS": {"FALLBACK": database_cache},
    }


SESSION_ENGINES = {
    "database": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}


def session_engine(store: str, cache_url: str) -> str:
    """Django's session engine for RATHAUS_SESSION_STORE."""
    if store == "cache" and not cache_url:
        raise ConfigurationError(
            "RATHAUS_SESSION_STORE: cache needs RATHAUS_CACHE_URL (the database cache drops old "
            "entries when it is full, which would log people out); use database or cached_db"
        )
    return SESSION_ENGINES[store]


RATHAUS_CACHE_URL: str = env("CACHE_URL")
CACHES = {"default": cache_settings(RATHAUS_CACHE_URL)}
RATHAUS_SESSION_STORE: str = env("SESSION_STORE")
SESSION_ENGINE = session_engine(RATHAUS_SESSION_STORE, RATHAUS_CACHE_URL)

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Outgoing e-mail (rathaus.core.mail): "outbox" keeps e-mails in the database and sends nothing.
_email_transport: EmailTransport = env("EMAIL_URL")
if _email_transport.outbox:
    EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email_transport.host
    EMAIL_PORT = _email_transport.port
    EMAIL_HOST_USER = _email_transport.username
    EMAIL_HOST_PASSWORD = _email_transport.password
    EMAIL_USE_TLS = _email_transport.use_tls
    EMAIL_USE_SSL = _email_transport.use_ssl
EMAIL_TIMEOUT = 30  # seconds; a hanging mail server must not hold a worker forever
DEFAULT_FROM_EMAIL: str = env("EMAIL_FROM")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTHENTICATION_BACKENDS = [
    # django-axes' lock per (user name, client address) plus the per-user slow-down.
    "rathaus.accounts.lockouts.LoginGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The town's and the portal's own words do not count towards the length (docs/security.md).
    {"NAME": "rathaus.accounts.passwords.ContextWordsValidator", "OPTIONS": {"min_remaining": 12}},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"

AXES_FAILURE_LIMIT: int = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = env("LOGIN_COOLOFF_MINUTES") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Refused attempts during a lock-out are not counted, so the lock ends when Retry-After says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "rathaus.accounts.lockouts.lockout_response"
# The client address as the rate limits read it: X-Forwarded-For only from trusted proxies.
AXES_CLIENT_IP_CALLABLE = "rathaus.accounts.lockouts.client_ip"
AXES_VERBOSE = False
RATHAUS_LOGIN_SLOWDOWN_AFTER: int = env("LOGIN_SLOWDOWN_AFTER")
RATHAUS_LOGIN_SLOWDOWN_MAX_SECONDS: int = env("LOGIN_SLOWDOWN_MAX_SECONDS")

RATHAUS_CITIZEN_IDLE_MINUTES: int = env("CITIZEN_IDLE_MINUTES")
RATHAUS_CITIZEN_SESSION_HOURS: int = env("CITIZEN_SESSION_HOURS")
RATHAUS_STAFF_IDLE_MINUTES: int = env("STAFF_IDLE_MINUTES")
RATHAUS_REGISTRATION_LIMIT_PER_HOUR: int = env("REGISTRATION_LIMIT_PER_HOUR")
RATHAUS_DRAFT_DAYS: int = env("DRAFT_DAYS")
RATHAUS_PROCESS_SCRIPT_TASKS: bool = env("PROCESS_SCRIPT_TASKS")
RATHAUS_PUBLIC_URL: str = env("PUBLIC_URL").rstrip("/")

# Sensor observations (opendata/retention.py): days raw values are kept; 0 keeps them forever.
RATHAUS_OBSERVATION_RETENTION_DAYS: int = env("OBSERVATION_RETENTION_DAYS")
# Alert subscriptions (opendata/views.py): form posts per client address and hour.
RATHAUS_ALERT_SUBSCRIBE_LIMIT_PER_HOUR: int = env("ALERT_SUBSCRIBE_LIMIT_PER_HOUR")

OTP_TOTP_ISSUER: str = env("OTP_ISSUER")

# Login with an OpenID Connect identity provider (accounts/providers/oidc.py); off without issuer.
RATHAUS_OIDC_ISSUER: str = env("OIDC_ISSUER")
RATHAUS_OIDC_CLIENT_ID: str = env("OIDC_CLIENT_ID")
RATHAUS_OIDC_CLIENT_SECRET: str = env("OIDC_CLIENT_SECRET")
RATHAUS_OIDC_LABEL: str = env("OIDC_LABEL")
RATHAUS_OIDC_ACR_CLAIM: str = env("OIDC_ACR_CLAIM")

# Login with a SAML 2.0 identity provider, BundID (accounts/providers/saml.py); needs metadata.
RATHAUS_SAML_IDP_METADATA: str = env("SAML_IDP_METADATA")
RATHAUS_SAML_SP_ENTITY_ID: str = env("SAML_SP_ENTITY_ID")
RATHAUS_SAML_SP_KEY: str = env("SAML_SP_KEY")
RATHAUS_SAML_SP_CERT: str = env("SAML_SP_CERT")
RATHAUS_SAML_REQUIRE_ENCRYPTED: bool = env("SAML_REQUIRE_ENCRYPTED")
RATHAUS_SAML_REQUESTED_LEVEL: str = env("SAML_REQUESTED_LEVEL")
RATHAUS_SAML_ATTRIBUTES: list[str] = env("SAML_ATTRIBUTES")
RATHAUS_SAML_LABEL: str = env("SAML_LABEL")

# Uploads (rathaus.core.files) and their virus scanner (rathaus.core.scanning).
RATHAUS_VIRUS_SCANNER: str = env("VIRUS_SCANNER")
RATHAUS_REGISTER_LOOKUP: str = env("REGISTER_LOOKUP")
RATHAUS_EXCHANGE_KEY_FILE: str = env("EXCHANGE_KEY_FILE")
RATHAUS_PAYMENT_PROVIDER: str = env("PAYMENT_PROVIDER")
# The route map of the assembly notice and the station maps of the dashboards (/daten/).
RATHAUS_MAP_TILE_URL: str = env("MAP_TILE_URL")
RATHAUS_MAP_ATTRIBUTION: str = env("MAP_ATTRIBUTION")
RATHAUS_PAYMENT_SANDBOX_URL: str = env("PAYMENT_SANDBOX_URL").rstrip("/")
RATHAUS_PAYMENT_SANDBOX_API_KEY: str = env("PAYMENT_SANDBOX_API_KEY")
RATHAUS_PAYMENT_WEBHOOK_KEYS: dict[str, str] = env("PAYMENT_WEBHOOK_KEYS")
RATHAUS_PAYMENT_WEBHOOK_WINDOW: int = env("PAYMENT_WEBHOOK_WINDOW")
RATHAUS_REGISTER_EXTRACT: str = env("REGISTER_EXTRACT")
RATHAUS_CLAMD_ADDRESS: str = env("CLAMD_ADDRESS")
RATHAUS_CLAMD_TIMEOUT_SECONDS: int = env("CLAMD_TIMEOUT_SECONDS")
RATHAUS_UPLOAD_MAX_BYTES: int = env("UPLOAD_MAX_BYTES")
RATHAUS_UPLOAD_REQUEST_MAX_BYTES: int = env("UPLOAD_REQUEST_MAX_BYTES")
RATHAUS_APPOINTMENT_HOLD_MINUTES: int = env("APPOINTMENT_HOLD_MINUTES")
# The catalogue as DCAT-AP.de RDF (rathaus.opendata.dcat).
RATHAUS_DCAT_PAGE_SIZE: int = env("DCAT_PAGE_SIZE")
RATHAUS_DCAT_PROFILE: str = env("DCAT_PROFILE")
RATHAUS_DCAT_CONTRIBUTOR_ID: str = env("DCAT_CONTRIBUTOR_ID")
# The OParl server of the council information (rathaus.council.oparl).
RATHAUS_OPARL_PAGE_SIZE: int = env("OPARL_PAGE_SIZE")
# The page cache for anonymous visitors (rathaus.core.pagecache, docs/page-cache.md).
RATHAUS_PAGE_CACHE_SECONDS: int = env("PAGE_CACHE_SECONDS")
# The SensorThings API, reading side (rathaus.opendata.sta.query): page sizes and limits.
RATHAUS_STA_PAGE_SIZE: int = env("STA_PAGE_SIZE")
RATHAUS_STA_MAX_TOP: int = env("STA_MAX_TOP")
RATHAUS_STA_MAX_SKIP: int = env("STA_MAX_SKIP")
RATHAUS_STA_STATEMENT_TIMEOUT_MS: int = env("STA_STATEMENT_TIMEOUT_MS")
RATHAUS_STA_MAX_ENTITIES: int = env("STA_MAX_ENTITIES")
RATHAUS_STA_MAX_COUNT: int = env("STA_MAX_COUNT")
RATHAUS_APPOINTMENT_OFFER_MINUTES: int = env("APPOINTMENT_OFFER_MINUTES")
RATHAUS_APPOINTMENT_REMINDER_HOUR: int = env("APPOINTMENT_REMINDER_HOUR")
RATHAUS_TRUSTED_PROXIES: list[str] = env("TRUSTED_PROXIES")
RATHAUS_RATE_LIMIT_AVAILABILITY: int = env("RATE_LIMIT_AVAILABILITY")
RATHAUS_RATE_LIMIT_BOOKING: int = env("RATE_LIMIT_BOOKING")
RATHAUS_XDOMEA_ARCHIVE: str = env("XDOMEA_ARCHIVE")

# Text recognition of scanned documents in the e-file, run by the task worker (documents/ocr.py).
RATHAUS_OCR_TIMEOUT: int = env("OCR_TIMEOUT")

# SensorThings MQTT extension: the broker and the consumer's batches (opendata/mqtt, ADR 0059).
RATHAUS_MQTT_URL: str = env("MQTT_URL")
RATHAUS_MQTT_BATCH_SIZE: int = env("MQTT_BATCH_SIZE")
RATHAUS_MQTT_BATCH_MILLISECONDS: int = env("MQTT_BATCH_MILLISECONDS")

# Harvesting DCAT-AP.de catalogues and the weekly link check (opendata/dcat_import.py and
# opendata/link_check.py).
RATHAUS_DCAT_IMPORT_MAX_BYTES: int = env("DCAT_IMPORT_MAX_BYTES")
RATHAUS_DCAT_IMPORT_MAX_PAGES: int = env("DCAT_IMPORT_MAX_PAGES")
RATHAUS_DCAT_IMPORT_MAX_TOTAL_BYTES: int = env("DCAT_IMPORT_MAX_TOTAL_BYTES")
RATHAUS_DCAT_IMPORT_MAX_TRIPLES: int = env("DCAT_IMPORT_MAX_TRIPLES")
RATHAUS_DCAT_IMPORT_TIMEOUT: int = env("DCAT_IMPORT_TIMEOUT")
RATHAUS_LINK_CHECK_TIMEOUT: int = env("LINK_CHECK_TIMEOUT")
RATHAUS_LINK_CHECK_BATCH: int = env("LINK_CHECK_BATCH")
RATHAUS_FETCH_ALLOWED_NETWORKS: list[str] = env("FETCH_ALLOWED_NETWORKS")
# The OParl importer (council/oparl_import, docs/oparl-import.md).
RATHAUS_OPARL_IMPORT_TIMEOUT: int = env("OPARL_IMPORT_TIMEOUT")
RATHAUS_OPARL_IMPORT_DEADLINE: int = env("OPARL_IMPORT_DEADLINE")
RATHAUS_OPARL_IMPORT_MAX_BYTES: int = env("OPARL_IMPORT_MAX_BYTES")
RATHAUS_OPARL_IMPORT_MAX_PAGES: int = env("OPARL_IMPORT_MAX_PAGES")
RATHAUS_OPARL_IMPORT_RETRIES: int = env("OPARL_IMPORT_RETRIES")

OTP_TOTP_THROTTLE_FACTOR = 1
# The admin does not show a staff member's TOTP secret (QR code): it would let an administrator
# copy someone's second factor. Staff enrol their app themselves at the login.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "rathaus.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if RATHAUS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # The __Host- prefix makes browsers accept these cookies only over HTTPS, for the whole site
    # and from this host alone (no Domain): a neighbouring subdomain cannot plant or overwrite
    # them (ASVS V3.3.1, docs/security.md). The demo on plain HTTP keeps the plain names.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env("HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Probes and the Prometheus scraper talk to each web instance directly, inside the network
    # (docs/health-and-logs.md, docs/metrics.md); /metrics still needs its token or network.
    # The API is not redirected but refused over plain HTTP (core.problems.ApiProblemMiddleware).
    SECURE_REDIRECT_EXEMPT = [
        r"^health$", r"^health/live$", r"^health/ready$", r"^metrics$", r"^api/",
    ]  # fmt: skip
    # Preloading is the domain owner's decision (docs/security.md, V3.4.1): without it the
    # deploy check's reminder (security.W021) is answered and silenced.
    SECURE_HSTS_PRELOAD = env("HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]


def _map_tile_origin(url: str) -> list[str]:
    """The origin of the map tiles (scheme and host), which the pages may load images from."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_map_tile_origin(RATHAUS_MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True
LANGUAGE_COOKIE_SAMESITE = "Lax"


def s3_files_storage(
    *, bucket: str, endpoint_url: str, region: str, access_key: str, secret_key: str
) -> dict[str, object]:
    """The "files" storage in a bucket of an S3-compatible store (django-storages, boto3)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": None,  # private: the bucket's policy applies, nothing is public
            "querystring_auth": True,
            "file_overwrite": True,  # a key names its content: writing it again changes nothing
        },
    }


# Stored files (rathaus.core.files, ADR 0019): content-addressed blobs behind the alias "files".
# The file system storage has no fixed location, so it follows MEDIA_ROOT.
RATHAUS_FILE_STORAGE: str = env("FILE_STORAGE")
if RATHAUS_FILE_STORAGE == "s3":
    if not env("S3_BUCKET"):
        raise ConfigurationError("RATHAUS_S3_BUCKET: RATHAUS_FILE_STORAGE=s3 needs a bucket")
    _FILES = s3_files_storage(
        bucket=env("S3_BUCKET"),
        endpoint_url=env("S3_ENDPOINT_URL"),
        region=env("S3_REGION"),
        access_key=env("S3_ACCESS_KEY_ID"),
        secret_key=env("S3_SECRET_ACCESS_KEY"),
    )
else:
    _FILES = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "files": _FILES,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps (5 MB from django-ninja's API pages) are for developers' tools, not for visitors:
# compressing them took most of `collectstatic`'s minute, so they are served as they are.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
)

# RATHAUS_LOG_FORMAT: plain lines or one JSON object per line, each with the request id
# (rathaus.core.logformat, rathaus.core.requestid; docs/health-and-logs.md). Django's own
# errors (a view's exception, a refused host) go to the same handler, in production too.
RATHAUS_LOG_FORMAT: str = env("LOG_FORMAT")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "rathaus": {
            "()": "rathaus.core.logformat.JsonFormatter"
            if RATHAUS_LOG_FORMAT == "json"
            else "rathaus.core.logformat.PlainFormatter"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "rathaus"}},
    "loggers": {
        "rathaus": {"handlers": ["console"], "level": env("LOG_LEVEL"), "propagate": False},
        "django_tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["console"], "level": "INFO"},
    },
}

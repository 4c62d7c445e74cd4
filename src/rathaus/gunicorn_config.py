"""gunicorn's settings for rathaus: ``rathaus serve`` and ``rathaus run`` start gunicorn with
``--config python:rathaus.gunicorn_config``; what they pass on the command line (address,
number of workers, ``--reload``) wins over what is set here.

Read by gunicorn's master process before Django is loaded: only ``rathaus.conf`` (the
environment variables) and the log formatters are imported here.
"""

from __future__ import annotations

from pathlib import Path

from rathaus.conf import env
from rathaus.core.logformat import formatter

wsgi_app = "rathaus.wsgi:application"

# One line per request on standard output, ending with the request id the answer names
# (rathaus.core.requestid), so that an access line leads to the application's log lines.
accesslog = "-"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'
)

# X-Forwarded-Proto (https) is believed only from a proxy on this machine, unless the command
# line says otherwise: rathaus serve and rathaus run pass RATHAUS_TRUSTED_PROXIES
# (rathaus.core.proxy.forwarded_allow_ips).
forwarded_allow_ips = "127.0.0.1"

# No control socket: gunicorn 25+ makes one in $HOME/.gunicorn/ by default, which several
# instances on one machine (deploy/stack.py's web instances) would share; rathaus' processes
# are managed with signals (systemd, rathaus run, deploy/stack.py).
control_socket_disable = True

# With --reload (rathaus run --reload, for developers) a changed Python module restarts the
# workers; templates and compiled translations are not modules, so they are watched too.
_PACKAGE = Path(__file__).resolve().parent
reload_extra_files = [
    str(_PACKAGE / "templates" / "**" / "*.html"),
    str(_PACKAGE / "*" / "templates" / "**" / "*.html"),
    str(_PACKAGE / "locale" / "*" / "LC_MESSAGES" / "*.mo"),
]

# RATHAUS_LOG_FORMAT=json: gunicorn's own lines (start, workers, access) as JSON too; the
# access lines' request_id is the one the answer named.
if env("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"rathaus": formatter("json")},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "rathaus",
                "stream": "ext://sys.stderr",
            },
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "rathaus",
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"level": "INFO", "handlers": []},  # replaces gunicorn's default
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
    }

# Server hooks: each instance counts its /metrics in a directory of its own (on_starting), and the
# live gauges of an ended worker are removed (child_exit); see rathaus.core.metrics_gunicorn.
from rathaus.core.metrics_gunicorn import child_exit, on_starting  # noqa: E402

__all__ = ["child_exit", "on_starting"]

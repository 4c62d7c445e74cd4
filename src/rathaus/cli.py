"""The ``rathaus`` command: Django's management commands with rathaus settings.

``rathaus demo-data`` and ``rathaus demo_data`` are the same command; names are written with
hyphens in the documentation.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from rathaus.conf import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)
    except ConfigurationError as exc:
        sys.stderr.write(f"rathaus: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

"""The static files as `make run` collects them (production storage: hashed names, compressed)."""

from __future__ import annotations

import json
import os

from tests.support import rathaus


def test_collectstatic_of_make_run_accepts_every_static_file(tmp_path):
    """`make run` collects the static files with the manifest storage, which refuses a file that
    names a file not there (a vendored script's source map): nothing may stop it."""
    env = {**os.environ, "RATHAUS_DATA_DIR": str(tmp_path), "RATHAUS_DEBUG": "false",
           "RATHAUS_DEMO": "true"}  # fmt: skip
    env.pop("RATHAUS_DATABASE_URL", None)

    result = rathaus("collectstatic", "--noinput", "-v", "0", env=env, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "vendor/leaflet/leaflet.js" in manifest["paths"]
    assert "assemblies/route-map.js" in manifest["paths"]

"""Process models as files: a folder with ``process.bpmn``, ``forms/<form key>.json`` and
Camunda Forms (``*.form``, in ``forms/`` or beside the model; ADR 0037).

The default process ships in ``processes/data/default`` and is installed (as a new version when
the file changed) after every ``migrate``. Other models are uploaded on the staff pages or
installed with ``rathaus import-process``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.processes import formjs
from rathaus.processes.bpmn import ModelInvalid, parse
from rathaus.processes.models import ProcessModel, ProcessVersion

DEFAULT_DIRECTORY = Path(__file__).parent / "data" / "default"
DEFAULT_SLUG = "antrag-standard"


def read_directory(directory: Path) -> tuple[str, dict[str, Any]]:
    """The BPMN text and the task forms of a model folder (Camunda Forms by file name)."""
    bpmn = (directory / "process.bpmn").read_text(encoding="utf-8")
    forms: dict[str, Any] = {}
    camunda = sorted(directory.glob("*.form")) + sorted((directory / "forms").glob("*.form"))
    for path in camunda + sorted((directory / "forms").glob("*.json")):
        try:
            forms[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ModelInvalid(
                [f"{path.name}: line {error.lineno}, column {error.colno}: {error.msg}"]
            ) from None
        if path.suffix == ".form" and not formjs.is_formjs(forms[path.stem]):
            raise ModelInvalid(
                [_("%(file)s is not a Camunda Form (a JSON object with components).")
                 % {"file": path.name}]
            )  # fmt: skip
    return bpmn, forms


def content_hash(bpmn: str, forms: dict[str, Any]) -> str:
    payload = bpmn + "\n" + json.dumps(forms, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def add_version(
    model: ProcessModel,
    bpmn: str,
    forms: dict[str, Any],
    *,
    user: Any = None,
    actor_name: str | None = None,
) -> tuple[ProcessVersion, bool]:
    """Store a new version of the model unless the same content is stored; (version, created).

    Uploads by staff (``user``) and imports by a command (``actor_name``) are audited; the
    default process that ships with rathaus is installed silently after each migration.
    Raises :class:`ModelInvalid` with every problem of the file.
    """
    parsed = parse(bpmn, forms)
    digest = content_hash(bpmn, forms)
    existing = ProcessVersion.objects.filter(model=model, sha256=digest).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            ProcessModel.objects.select_for_update().filter(pk=model.pk).first()
            last = model.versions.order_by("-number").values_list("number", flat=True).first()
            version = ProcessVersion(
                model=model, number=(last or 0) + 1, process_id=parsed.process_id, bpmn_xml=bpmn,
                task_forms=parsed.task_forms, sha256=digest, created_at=timezone.now(),
                created_by=user,
            )  # fmt: skip
            version.save()
            if user is not None or actor_name:
                audit.record(
                    "process.version_added", actor=user, actor_name=actor_name,
                    authority=model.authority, obj=version,
                    details={"model": model.slug, "number": version.number},
                )  # fmt: skip
    except IntegrityError:
        existing = ProcessVersion.objects.filter(model=model, sha256=digest).first()
        if existing is None:
            raise
        return existing, False
    return version, True


def install_for_form(form: Any, *, slug: str, name: str, directory: Path, actor_name: str) -> str:
    """A service package's process: the model linked to ``form`` (made as ``slug`` when there is
    none) gets the folder's content as a new version unless stored; "created" or "unchanged"."""
    bpmn, forms = read_directory(directory)
    model = ProcessModel.objects.filter(form=form).first()
    if model is None:
        model, _created = ProcessModel.objects.get_or_create(
            slug=slug, defaults={"name": name, "authority": form.authority}
        )
        ProcessModel.objects.filter(pk=model.pk).update(form=form)
    _version, created = add_version(model, bpmn, forms, actor_name=actor_name)
    return "created" if created else "unchanged"


def install_default(**_kwargs: Any) -> ProcessVersion:
    """Install or update the default process (connected to post_migrate)."""
    bpmn, forms = read_directory(DEFAULT_DIRECTORY)
    model, _created = ProcessModel.objects.get_or_create(
        slug=DEFAULT_SLUG,
        defaults={"name": parse(bpmn, forms).name, "is_default": True},
    )
    version, _new = add_version(model, bpmn, forms)
    return version

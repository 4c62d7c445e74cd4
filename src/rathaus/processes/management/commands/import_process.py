from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from rathaus.forms.management.commands.import_xdatenfelder import find_authority
from rathaus.forms.models import FormDefinition
from rathaus.processes import packages
from rathaus.processes.bpmn import ModelInvalid, parse
from rathaus.processes.models import ProcessModel

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


class Command(BaseCommand):
    help = (
        "Install a process model from a folder with process.bpmn and forms/<key>.json: a new "
        "model, or a new version of the model with the same short name. Every problem of the "
        "file is listed and nothing is stored then."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="folder with process.bpmn and forms/")
        parser.add_argument("--slug", required=True, help="short name of the model")
        parser.add_argument("--authority", default=None, help="slug or AGS (default: all)")
        parser.add_argument(
            "--form", default=None, help="slug of the online form whose applications use it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        slug = options["slug"]
        if not _SLUG.match(slug):
            raise CommandError(f"{slug!r} is not a short name (lower-case letters, digits, -)")
        if not (directory / "process.bpmn").is_file():
            raise CommandError(f"{directory}/process.bpmn does not exist")
        authority = find_authority(options["authority"]) if options["authority"] else None
        form = None
        if options["form"]:
            form = FormDefinition.objects.filter(slug=options["form"]).first()
            if form is None:
                raise CommandError(f"there is no online form {options['form']!r}")
        if form is not None:
            taken = ProcessModel.objects.filter(form=form).exclude(slug=slug).first()
            if taken is not None:
                raise CommandError(
                    f"the online form {form.slug!r} already runs the process model "
                    f"{taken.slug!r}; import a new version with --slug {taken.slug} or remove "
                    "that model first"
                )
        try:
            bpmn, forms = packages.read_directory(directory)
            parsed = parse(bpmn, forms)
            with transaction.atomic():
                model, _created = ProcessModel.objects.get_or_create(
                    slug=slug, defaults={"name": parsed.name, "authority": authority, "form": form}
                )
                version, new = packages.add_version(
                    model, bpmn, forms, actor_name="rathaus import-process"
                )
        except ModelInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(f"{len(invalid.problems)} problem(s); nothing was stored") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{directory}: cannot be read ({error})") from None
        except IntegrityError as error:
            raise CommandError(f"the model could not be stored: {error}") from None
        for note in parsed.notes:
            self.stdout.write(f"note: {note}")
        if form is not None and model.form_id != form.pk:
            model.form = form
            model.save(update_fields=["form"])
        state = "stored as version" if new else "already stored as version"
        self.stdout.write(f"{model.name} ({model.slug}): {state} {version.number}")

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from rathaus.core.models import Authority, AuthorityHost
from rathaus.forms import codelists, services
from rathaus.forms.engine import DefinitionError, FormSpec
from rathaus.forms.models import FormDefinition, FormVersion
from rathaus.forms.staff_preview import rule_report
from rathaus.forms.xdatenfelder import ConvertedForm, XDatenfelderError, convert, slug_for

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
_STANDARDS = {"xdatenfelder-2": "XDatenfelder 2.0", "xdatenfelder-3": "XDatenfelder 3.0.0"}


def find_authority(wanted: str) -> Authority:
    """The authority with this short name (slug) or this official key (AGS)."""
    authority = Authority.objects.filter(slug=wanted).first()
    if authority is not None:
        return authority
    by_ags = list(Authority.objects.filter(ags=wanted)[:2])
    if len(by_ags) == 1:
        return by_ags[0]
    if by_ags:
        names = ", ".join(found.slug for found in Authority.objects.filter(ags=wanted))
        raise CommandError(f"AGS {wanted!r} belongs to several authorities ({names}); give a slug")
    raise CommandError(f"unknown authority {wanted!r}: no authority has this short name or AGS")


class Command(BaseCommand):
    help = (
        "Import a FIM XDatenfelder 2.0 or 3.0.0 file as an online form: a new form, or a new "
        "version of the form with the same address. The version stays in preparation unless "
        "--publish is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="XDatenfelder XML file")
        parser.add_argument(
            "--authority",
            default=None,
            help="short name (slug) or AGS of the authority (default: RATHAUS_DEFAULT_AUTHORITY)",
        )
        parser.add_argument(
            "--slug",
            default=None,
            help="address of the form, /antrag/SLUG/ (default: from the schema id, e.g. s00000246)",
        )
        parser.add_argument(
            "--publish", action="store_true", help="publish the imported version at once"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        authority = find_authority(options["authority"] or settings.RATHAUS_DEFAULT_AUTHORITY)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            converted = convert(path.read_bytes(), codelists.lookup)
        except XDatenfelderError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
        slug = options["slug"] or slug_for(converted)
        if not _SLUG.match(slug):
            raise CommandError(
                f"--slug {slug!r}: use lower-case letters, digits and hyphens (at most 80)"
            )
        if options["publish"] and converted.missing_code_lists:
            lists = "; ".join(
                f"{urn} version {list_version or '-'}"
                for urn, list_version in converted.missing_code_lists
            )
            raise CommandError(
                f"{path.name}: cannot be published: these code lists are not imported: {lists}. "
                "Import them with 'rathaus import-codelist FILE' first, or import without "
                "--publish and let staff accept free text."
            )
        standard = _STANDARDS.get(converted.standard, converted.standard)
        self.stdout.write(f"Importing {path.name} ({standard}) for {authority.name} …")
        try:
            with transaction.atomic():
                version, created = self._import(authority, slug, converted)
                if options["publish"]:
                    version = services.publish(version)
        except DefinitionError as exc:
            shown = "; ".join(exc.problems[:3])
            more = f" (and {len(exc.problems) - 3} more problems)" if len(exc.problems) > 3 else ""
            raise CommandError(
                f"{path.name}: the converted form cannot be used: {shown}{more}"
            ) from None
        self._summary(version, converted, created=created)

    def _import(
        self, authority: Authority, slug: str, converted: ConvertedForm
    ) -> tuple[FormVersion, bool]:
        source = f"FIM {converted.identifier} v{converted.version}"[:200]
        definition = (
            FormDefinition.objects.select_for_update()
            .filter(authority=authority, slug=slug)
            .first()
        )
        if definition is not None:
            version = services.new_version(
                definition, schema=converted.schema, layout=converted.layout, source=source
            )
            return version, False
        version = services.create_definition(
            authority=authority,
            slug=slug,
            title=converted.title[:200] or converted.identifier,
            schema=converted.schema,
            layout=converted.layout,
            introduction=converted.description,
            source=source,
        )
        return version, True

    def _summary(self, version: FormVersion, converted: ConvertedForm, *, created: bool) -> None:
        definition = version.definition
        spec = FormSpec(version.schema, version.layout)
        translated, untranslated = rule_report(version.layout)
        address = reverse("forms:start", args=[definition.slug])
        hosts = list(
            AuthorityHost.objects.filter(authority=definition.authority).values_list(
                "hostname", flat=True
            )[:1]
        )
        state = "published" if version.status == FormVersion.Status.PUBLISHED else "in preparation"
        self.stdout.write(f"  form:      {definition.title}")
        self.stdout.write(f"  slug:      {definition.slug}")
        self.stdout.write(f"  version:   {version.number} ({state}), {version.source}")
        self.stdout.write(
            f"  content:   {len(spec.steps)} steps, {len(spec.field_templates)} questions"
        )
        if not spec.field_templates:
            self.stdout.write(
                self.style.WARNING(
                    "    The version cannot be published: the schema has no questions."
                )
            )
        self.stdout.write(f"  warnings:  {len(converted.warnings)}")
        for warning in converted.warnings:
            self.stdout.write(self.style.WARNING(f"    - {warning}"))
        self.stdout.write(
            f"  rules translated: {len(translated)}, not translated: {len(untranslated)}"
            + (" (kept as notes for staff)" if untranslated else "")
        )
        for rule in untranslated:
            self.stdout.write(
                self.style.WARNING(
                    f"    - {rule.get('id')} (version {rule.get('version') or '-'}) "
                    f"{rule.get('name')}: {rule.get('reason')}"
                )
            )
        missing = converted.missing_code_lists
        self.stdout.write(f"  code lists missing: {len(missing)}")
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    "    The version cannot be published until these code lists are imported "
                    "(rathaus import-codelist FILE, genericode from XRepository) or staff "
                    "accept free text:"
                )
            )
            for urn, list_version in missing:
                self.stdout.write(self.style.WARNING(f"    - {urn} version {list_version or '-'}"))
        where = f" (on {hosts[0]})" if hosts else ""
        self.stdout.write(f"  address:   {address}{where}")
        what = "New form" if created else "New version"
        self.stdout.write(
            self.style.SUCCESS(
                f"{what}: {definition.title!r} version {version.number}, {state}, at {address}"
            )
        )

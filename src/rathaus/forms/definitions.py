"""Changing form definitions and their versions: create, new version, edit, publish, retire.

Part of the forms app's domain functions (``services`` re-exports them); every change is
audited in the authority's chain.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit, pagecache
from rathaus.core.models import Authority
from rathaus.forms import codelists, fees
from rathaus.forms.engine import DefinitionError, FormSpec, definition_problems
from rathaus.forms.models import FormDefinition, FormVersion, TrustRequirement

VERSION_FIELDS = (
    "title",
    "introduction",
    "min_trust_level",
    "fee_cents",
    "fee_text",
    "fee",
    "receipt_email_field",
    "next_steps",
    "source",
)
"""A version's own fields besides schema and layout: what a new version takes over from the
latest one, and what a form package may set."""


def one_step_definition(
    step_id: str,
    title: str,
    properties: dict[str, Any],
    elements: list[dict[str, Any]],
    *,
    required: list[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema and layout of a form of one step that asks for these properties."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": required,
    }
    layout = {"steps": [{"id": step_id, "title": title, "elements": elements}]}
    return schema, layout


def create_definition(
    *,
    authority: Authority,
    slug: str,
    title: str,
    schema: dict[str, Any],
    layout: dict[str, Any],
    offer: Any = None,
    actor: Any = None,
    **version_fields: Any,
) -> FormVersion:
    """A new form with a first version in preparation (not yet published)."""
    with transaction.atomic():
        definition = FormDefinition.objects.create(
            authority=authority, slug=slug, title=title, offer=offer
        )
        version = new_version(definition, schema=schema, layout=layout, title=title, actor=actor,
                              **version_fields)  # fmt: skip
    return version


def new_version(
    definition: FormDefinition,
    *,
    schema: dict[str, Any],
    layout: dict[str, Any],
    actor: Any = None,
    **fields: Any,
) -> FormVersion:
    """A new version in preparation; refused (DefinitionError) if the definition is unusable."""
    spec = FormSpec(schema, layout)  # raises DefinitionError with every problem
    with transaction.atomic():
        last = (
            FormVersion.objects.select_for_update()
            .filter(definition=definition)
            .order_by("-number")
            .first()
        )
        base: dict[str, Any] = {
            "title": definition.title,
            "min_trust_level": TrustRequirement.NONE,
        }
        if last is not None:
            base.update({name: getattr(last, name) for name in VERSION_FIELDS})
        base.update(fields)
        _check_fee(spec, base.get("fee"))
        version = FormVersion.objects.create(
            definition=definition,
            number=(last.number + 1) if last is not None else 1,
            schema=schema,
            layout=layout,
            **base,
        )
        _audit("form.version_created", version, actor=actor)
    return version


def update_version(version: FormVersion, *, actor: Any = None, **fields: Any) -> FormVersion:
    """Change a version that is still in preparation."""
    if version.status != FormVersion.Status.DRAFT:
        raise ValueError("only a version in preparation can be changed")
    schema = fields.get("schema", version.schema)
    layout = fields.get("layout", version.layout)
    spec = FormSpec(schema, layout)
    _check_fee(spec, fields.get("fee", version.fee))
    for name, value in fields.items():
        setattr(version, name, value)
    version.save()
    audit.record(
        "form.version_changed", actor=actor, authority=version.definition.authority, obj=version
    )
    return version


def publish(version: FormVersion, *, actor: Any = None) -> FormVersion:
    """Make the version the one new applications use; the previous one stays for its drafts.

    Fields whose code list has been imported since get its codes first; a code list that is
    still missing refuses publishing unless staff accepted free text for it (ADR 0032). A
    version without a single question is refused as well (ADR 0034)."""
    if version.status == FormVersion.Status.DRAFT:
        version = apply_code_lists(version, actor=actor)
    problems = definition_problems(version.schema, version.layout)
    if not problems and not asks_questions(version):
        problems.append(no_questions_problem())
    if not problems:
        problems += fee_problems(version)
    if not version.code_list_free_text:
        problems += [missing_code_list_problem(urn, ver) for urn, ver in version_missing(version)]
    if problems:
        raise DefinitionError(problems)
    with transaction.atomic():
        locked = FormVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != FormVersion.Status.DRAFT:
            return locked
        FormVersion.objects.filter(
            definition=locked.definition_id, status=FormVersion.Status.PUBLISHED
        ).update(status=FormVersion.Status.SUPERSEDED)
        locked.status = FormVersion.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor if actor is not None and actor.is_authenticated else None
        locked.save(update_fields=["status", "published_at", "published_by"])
        FormDefinition.objects.filter(pk=locked.definition_id).update(
            retired_at=None, title=locked.title
        )
        _audit("form.published", locked, actor=actor, details={"version": locked.number})
    return locked


def fee_problems(version: FormVersion) -> list[str]:
    """The problems of the version's fee declaration (its definition must be usable)."""
    return fees.problems(version.fee, fees.questions_of(FormSpec(version.schema, version.layout)))


def _check_fee(spec: FormSpec, fee: Any) -> None:
    problems = fees.problems(fee, fees.questions_of(spec))
    if problems:
        raise DefinitionError(problems)


def asks_questions(version: FormVersion) -> bool:
    """Whether the version has at least one question (an input field); one without cannot be
    published. An unusable definition counts as asking: its problems are reported instead."""
    try:
        spec = FormSpec(version.schema, version.layout)
    except DefinitionError:
        return True
    return next(spec.fields(), None) is not None


def no_questions_problem() -> str:
    return _(
        "The form asks no questions: its steps contain only texts. Add at least one question "
        "before publishing it."
    )


def version_missing(version: FormVersion) -> list[tuple[str, str]]:
    """The code lists (URN, version) the version's questions need but do not have."""
    return codelists.missing(version.schema)


def missing_code_list_problem(urn: str, version: str) -> str:
    return _(
        "The code list %(urn)s (version %(version)s) is not available: import it with "
        "“rathaus import-codelist FILE” or accept free text for its questions."
    ) % {"urn": urn, "version": version or "–"}


def apply_code_lists(version: FormVersion, *, actor: Any = None) -> FormVersion:
    """Gives the questions of a version in preparation the codes of lists imported since."""
    if version.status != FormVersion.Status.DRAFT or not version_missing(version):
        return version
    schema, layout = copy.deepcopy(version.schema), copy.deepcopy(version.layout)
    still = codelists.fill(schema, layout)
    if len(still) == len(version_missing(version)):
        return version
    return update_version(version, actor=actor, schema=schema, layout=layout)


def accept_free_text(version: FormVersion, *, accept: bool, actor: Any = None) -> FormVersion:
    """Staff decide that questions without their code list are asked as free text (or not)."""
    if version.status != FormVersion.Status.DRAFT:
        raise ValueError("only a version in preparation can be changed")
    with transaction.atomic():
        FormVersion.objects.filter(pk=version.pk).update(code_list_free_text=accept)
        version.code_list_free_text = accept
        missing = [list(item) for item in version_missing(version)]
        details = {"accepted": accept, "missing": missing}
        _audit("form.code_list_free_text", version, actor=actor, details=details)
    return version


def retire(definition: FormDefinition, *, actor: Any = None) -> None:
    """No new applications; drafts already started can still be sent."""
    with transaction.atomic():
        FormDefinition.objects.filter(pk=definition.pk).update(retired_at=timezone.now())
        pagecache.invalidate(definition.authority_id)  # its button on the service page goes
        audit.record("form.retired", actor=actor, authority=definition.authority, obj=definition)


def _audit(
    action: str, version: FormVersion, *, actor: Any, details: dict[str, Any] | None = None
) -> None:
    """Record a change of the version in its authority's audit chain; without an actor the
    system made it (an import command, the feedback form created on first use)."""
    audit.record(
        action,
        actor=actor,
        actor_name=None if actor is not None else "system",
        authority=version.definition.authority,
        obj=version,
        details=details,
    )

"""Feedback on accessibility (BITV 2.0 § 7): a report becomes a case of the authority.

The report is a submission of the authority's form ``barrierefreiheit`` (created and published
on first use), stored with the forms app's ``create_submission``; the cases app routes it to
the authority's inbox like every other submission, and sends the receipt.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from rathaus.core.models import Authority
from rathaus.forms import definitions
from rathaus.forms.engine import FormSpec
from rathaus.forms.models import Channel, FormDefinition, FormVersion, Submission
from rathaus.forms.submissions import create_submission

SLUG = "barrierefreiheit"
MESSAGE_MAX = 5000


def _definition() -> tuple[dict[str, Any], dict[str, Any]]:
    properties = {
        "message": {"type": "string", "minLength": 10, "maxLength": MESSAGE_MAX},
        "page": {"type": "string", "maxLength": 300},
        "name": {"type": "string", "maxLength": 150},
        "email": {"type": "string", "format": "email", "maxLength": 254},
    }
    elements = [
        {"field": "message", "widget": "textarea", "label": _("What does not work?")},
        {"field": "page", "widget": "text", "label": _("On which page?")},
        {"field": "name", "widget": "text", "label": _("Your name (optional)")},
        {
            "field": "email",
            "widget": "email",
            "label": _("Your e-mail address, if you want an answer (optional)"),
        },
    ]
    return definitions.one_step_definition(
        "meldung", _("Report a barrier"), properties, elements, required=["message"]
    )


def feedback_version(authority: Authority) -> FormVersion:
    """The published version of the authority's feedback form, created on first use."""
    found = FormVersion.objects.filter(
        definition__authority=authority, definition__slug=SLUG,
        status=FormVersion.Status.PUBLISHED,
    ).first()  # fmt: skip
    if found is not None:
        return found
    with translation.override("de"):  # the form's labels are stored, in German
        schema, layout = _definition()
        title = _("Feedback on accessibility")
    try:
        with transaction.atomic():
            if FormDefinition.objects.filter(authority=authority, slug=SLUG).exists():
                definition = FormDefinition.objects.get(authority=authority, slug=SLUG)
                version = definitions.new_version(definition, schema=schema, layout=layout)
            else:
                version = definitions.create_definition(
                    authority=authority, slug=SLUG, title=title,
                    schema=schema, layout=layout, receipt_email_field="email",
                )  # fmt: skip
            return definitions.publish(version)
    except IntegrityError:  # created by another request a moment earlier
        return FormVersion.objects.get(
            definition__authority=authority, definition__slug=SLUG,
            status=FormVersion.Status.PUBLISHED,
        )  # fmt: skip


def submit(
    authority: Authority, data: dict[str, str], *, account: Any, trust_level: str, key: str,
    portal_url: str = "",
) -> Submission:  # fmt: skip
    """Store the report as a submission (once per key); the cases app opens the case."""
    version = feedback_version(authority)
    answers = {name: value for name, value in data.items() if value}
    errors = FormSpec(version.schema, version.layout).errors(answers)
    if errors:
        raise ValueError(f"feedback does not match its form: {sorted(errors)}")
    payload = hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False).encode())
    submission, _created = create_submission(
        authority=authority,
        form_version=version,
        data=answers,
        account=account,
        trust_level=trust_level,
        channel=Channel.WEB,
        contact_email=answers.get("email", "") or (account.user.email if account else ""),
        # The same report sent twice from one page (a double click) is one submission.
        idempotency_key=f"{key[:40]}:{payload.hexdigest()[:16]}",
        payload_sha256=payload.hexdigest(),
        portal_url=portal_url,
    )
    return submission

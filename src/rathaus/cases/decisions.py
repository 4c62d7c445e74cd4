"""Decision documents (Bescheide): rendered from a template per service, stored, delivered.

A case has at most one decision. Deciding renders the letter as a PDF
(``cases/decisions/<form-slug>.html``, else ``cases/decisions/default.html``), stores it as a
:class:`~rathaus.cases.models.CaseDocument`, sets the case to "decided", records the event in
the timeline and the audit log and puts the letter into the applicant's mailbox — or, without
an account, notes that it must go by post. All of that happens in one transaction.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.cases import register
from rathaus.cases.actions import CaseActionRefused, acting_on
from rathaus.cases.events import CaseDecided
from rathaus.cases.models import Case, CaseDocument, RegisterRecord
from rathaus.core import files
from rathaus.core.pdf import render_html, render_pdf

DEFAULT_TEMPLATE = "cases/decisions/default.html"


class Outcome(models.TextChoices):
    GRANTED = "granted", gettext_lazy("granted")
    PARTLY_GRANTED = "partly_granted", gettext_lazy("partly granted")
    REFUSED = "refused", gettext_lazy("refused")


def template_name(case: Case) -> str:
    """The decision template for the case's service: its own if there is one, else the default."""
    names = [DEFAULT_TEMPLATE]
    if case.submission is not None:
        slug = case.submission.form_version.definition.slug
        if re.fullmatch(r"[-a-zA-Z0-9_]+", slug):
            names.insert(0, f"cases/decisions/{slug}.html")
    chosen = select_template(names)
    origin = getattr(chosen, "origin", None)
    name = getattr(origin, "template_name", None)
    if not isinstance(name, str) or name not in names:
        raise TemplateDoesNotExist(", ".join(names))
    return name


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def applicant_details(case: Case, record: RegisterRecord | None = None) -> dict[str, Any]:
    """Name, date of birth and address of the applicant: as confirmed from the register if
    given, else from the application, else from the account."""
    if record is not None:
        return {
            "name": f"{record.first_name} {record.family_name}",
            "date_of_birth": record.date_of_birth,
            "address_lines": [record.street, f"{record.postal_code} {record.place}"],
        }
    data: dict[str, Any] = {}
    if case.submission is not None and isinstance(case.submission.data, dict):
        data = case.submission.data
    name = _text(data.get("name")) or " ".join(
        part for part in (_text(data.get("first_name")), _text(data.get("family_name"))) if part
    )
    raw_address = data.get("address")
    address: dict[str, Any] = raw_address if isinstance(raw_address, dict) else {}
    street = _text(address.get("street"))
    place = " ".join(
        part
        for part in (
            _text(address.get("postal_code")),
            _text(address.get("place")) or _text(address.get("city")),
        )
        if part
    )
    born = parse_date(data["date_of_birth"]) if isinstance(data.get("date_of_birth"), str) else None
    account = case.applicant
    if account is not None:
        name = name or account.user.get_full_name() or account.organisation_name
        if not street and not place:
            street = account.street
            place = " ".join(part for part in (account.postal_code, account.city) if part)
        born = born or account.date_of_birth
    return {
        "name": name,
        "date_of_birth": born,
        "address_lines": [line for line in (street, place) if line],
    }


def _one_line(street: str, postal_code: str, city: str) -> str:
    place = " ".join(part for part in (postal_code, city) if part)
    return ", ".join(part for part in (street, place) if part)


def decision_context(
    case: Case, outcome: str, reasons: str, moment: Any, user: Any
) -> dict[str, Any]:
    unit = case.org_unit
    authority = case.authority
    version = case.submission.form_version if case.submission is not None else None
    record = register.confirmed(case) if register.needs_register(case) else None
    return {
        "case": case,
        "authority": authority,
        "unit": unit,
        "contact": {
            "street": unit.street or authority.street,
            "postal_code": unit.postal_code if unit.street else authority.postal_code,
            "city": unit.city if unit.street else authority.city,
            "room": unit.room,
            "phone": unit.phone or authority.phone,
            "email": unit.email or authority.email,
            "website": authority.website,
        },
        # Where an objection is lodged: the authority itself (its seat), else the unit.
        "remedy_address": _one_line(authority.street, authority.postal_code, authority.city)
        or _one_line(unit.street, unit.postal_code, unit.city),
        "applicant": applicant_details(case, record),
        # The confirmed register data, for letters that print it (the Meldebescheinigung).
        "register": record,
        "certificate": register.certificate(case) if record is not None else None,
        "submission": case.submission,
        "version": version,
        "outcome": outcome,
        "outcome_label": Outcome(outcome).label,
        "reasons": [paragraph for paragraph in reasons.splitlines() if paragraph.strip()],
        "date": timezone.localtime(moment),
        "clerk": (user.get_full_name() or user.get_username()) if user is not None else "",
    }


def check(case: Case, outcome: str, reasons: str) -> str:
    """The reasons as they will be printed, if the case can be decided so now; else
    ``CaseActionRefused`` with a message for staff. ``decide`` checks again under the lock."""
    if outcome not in Outcome.values:
        raise CaseActionRefused(_("Please choose the outcome of the decision."))
    reasons = reasons.strip()[:20000]
    if outcome != Outcome.GRANTED and not reasons:
        raise CaseActionRefused(_("Please give the reasons when the application is not granted."))
    if CaseDocument.objects.filter(case=case, kind=CaseDocument.Kind.DECISION).exists():
        raise CaseActionRefused(_("This case has already been decided."))
    if not case.is_open:
        raise CaseActionRefused(_("The case is closed."))
    needs_data = outcome != Outcome.REFUSED and register.needs_register(case)
    if needs_data and register.confirmed(case) is None:
        raise CaseActionRefused(
            _("Please check the register and confirm the data for the letter first.")
        )
    return reasons


def preview(case: Case, user: Any, outcome: str, reasons: str, *, pdf: bool = False) -> Any:
    """The letter as ``decide`` would make it now, as HTML (or the PDF); nothing is stored."""
    reasons = check(case, outcome, reasons)
    with translation.override(settings.LANGUAGE_CODE):
        context = decision_context(case, outcome, reasons, timezone.now(), user)
        if pdf:
            return render_pdf(template_name(case), context)
        return render_html(template_name(case), context)


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def letter_body(html: str) -> SafeString:
    """The body of a previewed letter, to show inside a staff page (without its print styles).
    The letter's template escapes the data it prints, so its output is safe."""
    found = _BODY.search(html)
    return mark_safe(found.group(1) if found else html)


def _filename(case: Case) -> str:
    return "Bescheid-" + re.sub(r"[^A-Za-z0-9.-]+", "-", case.number).strip("-") + ".pdf"


def decide(case: Case, user: Any, outcome: str, reasons: str, portal_url: str = "") -> CaseDocument:
    """Decide the case: the Bescheid as a PDF in the case and to the applicant; once per case.

    Raises ``PermissionError`` if the case is not in the user's units and ``CaseActionRefused``
    (with a message for staff) if the case cannot be decided now.
    """
    from rathaus.accounts.mailbox import Attachment, send_message

    with acting_on(case, user, deferred_audit=True) as work:
        locked = work.case
        reasons = check(locked, outcome, reasons)
        now = timezone.now()
        with translation.override(settings.LANGUAGE_CODE):
            context = decision_context(locked, outcome, reasons, now, user)
            pdf = render_pdf(template_name(locked), context)
            title = _("Decision: %(subject)s") % {"subject": locked.title}
        filename = _filename(locked)
        document = CaseDocument(
            case=locked, kind=CaseDocument.Kind.DECISION, title=title[:200],
            filename=filename, size=len(pdf), sha512=hashlib.sha512(pdf).hexdigest(),
            created_at=now, created_by=user,
            file=files.store_bytes(pdf, name=filename, media_type="application/pdf"),
        )  # fmt: skip
        try:
            with transaction.atomic():
                document.save()
                old = locked.status
                # The table allows "decided" only with the decision document, saved just now.
                work.move_to(Case.Status.DECIDED, record=False)
                detail: dict[str, Any] = {"document": document.pk, "outcome": outcome}
                if locked.applicant is not None:
                    with translation.override(settings.LANGUAGE_CODE):
                        subject = _("Decision on your application %(number)s") % {
                            "number": locked.number
                        }
                        body = _(
                            "The decision on your application “%(subject)s” is attached to "
                            "this message as a PDF document."
                        ) % {"subject": locked.title}
                    message = send_message(
                        authority=locked.authority, account=locked.applicant, subject=subject,
                        body=body, attachments=[Attachment(document.filename, pdf)],
                        sender_unit=locked.org_unit, reference=locked.number, actor=user,
                        portal_url=portal_url,
                    )  # fmt: skip
                    detail.update(delivery="mailbox", message=message.pk)
                else:
                    detail["delivery"] = "post"
                work.record("decided", old=old, new=outcome, detail=detail, public=True)
                work.publish(CaseDecided, outcome=outcome, document_id=document.pk)
        except BaseException as error:
            files.forget(document.file)  # nothing was stored: no file without its record
            if isinstance(error, IntegrityError):  # a decision stored meanwhile (one per case)
                raise CaseActionRefused(_("This case has already been decided.")) from None
            raise
    return document

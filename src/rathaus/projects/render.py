"""The council paper as a file: a tagged PDF (PDF/UA-1, WeasyPrint, from the same template
as the staff page's preview) or a Word document (python-docx) for the council's workflow.
:func:`generate` builds the paper from live data, renders it and keeps its snapshot."""

from __future__ import annotations

import io
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rathaus.core.models import Authority
from rathaus.core.pdf import render_pdf
from rathaus.projects import report as reports
from rathaus.projects.report import Report, euro, percent

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def pdf(report: Report) -> bytes:
    return render_pdf("projects/report_pdf.html", {"report": report, "authority": report.authority})


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text


def _date(value: Any) -> str:
    return date_format(value, "d.m.Y")


def docx(report: Report) -> bytes:
    from docx import Document

    document = Document()
    document.core_properties.title = _("Information paper: state of the digital projects")
    document.core_properties.author = report.authority.name
    document.add_paragraph(report.authority.name)
    document.add_heading(_("Information paper: state of the digital projects"), level=0)
    document.add_paragraph(
        _("Generated from the platform's live data on %(date)s.")
        % {"date": date_format(report.created_at, "d.m.Y H:i")}
    )
    document.add_paragraph(_("Decision proposed: the council takes note of the information paper."))
    totals = report.totals
    document.add_heading(_("Funding of all projects"), level=1)
    _table(
        document,
        [
            _("Eligible costs"),
            _("Grants"),
            _("Own share"),
            _("Co-financing"),
            _("Payments received"),
        ],
        [
            [
                euro(totals.eligible_cents),
                f"{euro(totals.amount_cents)} ({percent(totals.funding_percent)})",
                f"{euro(totals.own_share_cents)} ({percent(totals.own_share_percent)})",
                euro(totals.cofinancing_cents),
                euro(totals.received_cents),
            ]
        ],
    )
    document.add_heading(_("What the platform measures itself"), level=1)
    for key, value in report.platform.as_dict().items():
        document.add_paragraph(f"{reports.platform_label(key)}: {value}", style="List Bullet")
    document.add_heading(_("What changed since the last paper"), level=1)
    if report.previous is None:
        document.add_paragraph(_("This is the first paper generated from the platform."))
    elif not report.changes:
        document.add_paragraph(_("Nothing has changed."))
    for line in report.changes:
        document.add_paragraph(line, style="List Bullet")
    for number, item in enumerate(report.projects, start=1):
        _project(document, number, item)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _project(document: Any, number: int, item: reports.ProjectReport) -> None:
    project = item.project
    document.add_heading(f"{number}. {project.title}", level=1)
    document.add_paragraph(
        f"{_('Status')}: {project.get_status_display()} · "
        f"{_('Responsible unit')}: {project.unit.name}"
    )
    document.add_paragraph(f"{_('Goal')}: {project.goal}")
    if project.partner_list():
        document.add_paragraph(f"{_('Partners')}: {', '.join(project.partner_list())}")
    if project.status_note:
        document.add_paragraph(f"{_('State of implementation')}: {project.status_note}")
    document.add_heading(_("Funding"), level=2)
    if not item.grants:
        document.add_paragraph(_("No grant recorded."))
    else:
        rows = [
            [
                f"{row.programme} ({row.funder})",
                euro(row.eligible_cents),
                euro(row.amount_cents),
                f"{euro(row.own_share_cents)} ({percent(row.own_share_percent)})",
                euro(row.cofinancing_cents),
                f"{_date(row.period_start)} – {_date(row.end)}"
                + "".join(
                    "\n"
                    + _("extended to %(end)s: %(reason)s")
                    % {"end": _date(extension.new_end), "reason": extension.reason}
                    for extension in row.extensions
                ),
                euro(row.received_cents),
            ]
            for row in item.grants
        ]
        if len(item.grants) > 1:
            sums = item.sums
            rows.append(
                [
                    _("Sum"),
                    euro(sums.eligible_cents),
                    euro(sums.amount_cents),
                    f"{euro(sums.own_share_cents)} ({percent(sums.own_share_percent)})",
                    euro(sums.cofinancing_cents),
                    "",
                    euro(sums.received_cents),
                ]
            )
        _table(
            document,
            [
                _("Programme (funder)"),
                _("Eligible costs"),
                _("Grant"),
                _("Own share"),
                _("Co-financing"),
                _("Funding period"),
                _("Received"),
            ],
            rows,
        )
    document.add_heading(_("Milestones reached"), level=2)
    for milestone in item.reached:
        document.add_paragraph(
            f"{_date(milestone.reached_on)}: {milestone.title}", style="List Bullet"
        )
    if not item.reached:
        document.add_paragraph(_("None yet."))
    document.add_heading(_("Milestones due"), level=2)
    for milestone in item.due:
        document.add_paragraph(f"{_date(milestone.due_on)}: {milestone.title}", style="List Bullet")
    if not item.due:
        document.add_paragraph(_("None."))
    document.add_heading(_("Risks"), level=2)
    for risk in item.risks:
        text = f"{risk.description} ({_('likelihood')}: {risk.get_likelihood_display()})"
        if risk.measure:
            text += f" – {_('measure')}: {risk.measure}"
        document.add_paragraph(text, style="List Bullet")
    if not item.risks:
        document.add_paragraph(_("None recorded."))
    if item.papers:
        document.add_paragraph(
            f"{_('Council papers')}: "
            + ", ".join(
                link.reference + (f" ({link.title})" if link.title else "") for link in item.papers
            )
        )


def generate(authority: Authority, file_format: str, user: Any = None) -> tuple[bytes, Report]:
    """Build the paper from live data, render it in ``file_format`` (``pdf`` or ``docx``)
    and keep its snapshot."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}")
    report = reports.build(authority)
    content = pdf(report) if file_format == "pdf" else docx(report)
    reports.keep(report, file_format, user)
    return content, report

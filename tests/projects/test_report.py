"""The council paper on the digital projects from live data: every demo project with its
funding sums and shares, as PDF (read back as text) and DOCX (read back with python-docx),
from the command line and the staff page; each paper's figures are kept and the next paper
says what changed."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pypdf import PdfReader

from rathaus.projects import services
from rathaus.projects.demo import PROJECTS
from rathaus.projects.models import Grant, Milestone, Project, ReportSnapshot
from tests.support import log_in

pytestmark = pytest.mark.django_db

# The demo's funding, as the council papers IV-0012/2020 and IV-003/2022 give it.
DEMO_FIGURES = [
    "80.000,00 €",  # Digitalisierungszentrum: grant
    "100.000,00 €",  # its eligible costs (the grant plus 20 % own share)
    "20.000,00 € (20 %)",  # its own share
    "366.816,00 €",  # Smart City: grant (strategy phase)
    "564.333,00 €",  # its eligible costs: 404.333 € staff and material, 160.000 € investments
    "197.516,55 € (35 %)",  # its own share
    "446.816,00 €",  # all grants
    "664.333,00 €",  # all eligible costs
    "217.516,55 € (32,74 %)",  # all own shares
]


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return re.sub(r"\s+", " ", "\n".join(parts))


def test_the_demo_paper_as_pdf_has_every_project_with_its_funding(barleben, tmp_path):
    out = tmp_path / "vorlage.pdf"
    call_command("report_projects", "--out", str(out), "--authority", "barleben")
    text = pdf_text(out.read_bytes())
    for spec in PROJECTS:
        assert spec["title"] in text, spec["title"]
    for figure in DEMO_FIGURES:
        assert figure in text, figure
    assert "verlängert bis 30.04.2022" in text
    assert "Digitalwerkstatt Villa 147 offiziell eröffnet" in text  # a milestone reached
    assert "Installation der 5G-Antennen im TPO" in text  # a milestone due
    assert "Vergaberecht" in text  # a risk
    assert "Dies ist das erste aus der Plattform erzeugte Papier." in text
    snapshot = ReportSnapshot.objects.get()
    assert snapshot.file_format == "pdf"
    assert snapshot.figures["totals"]["amount_cents"] == 44_681_600
    assert snapshot.figures["totals"]["own_share_cents"] == 21_751_655


def test_the_demo_paper_as_docx_has_every_project_with_its_funding(barleben, tmp_path):
    out = tmp_path / "vorlage.docx"
    call_command("report_projects", "--out", str(out))
    text = docx_text(out.read_bytes())
    for spec in PROJECTS:
        assert spec["title"] in text, spec["title"]
    for figure in DEMO_FIGURES:
        assert figure in text, figure
    assert "ifak Magdeburg" in text  # the 5G partners
    assert "Konsortialvertrag geschlossen" in text


def test_the_next_paper_says_what_changed_since_the_last(barleben, tmp_path):
    call_command("report_projects", "--out", str(tmp_path / "erste.docx"))
    smart_city = Project.objects.get(title="Modellprojekt Smart City Barleben")
    grant = Grant.objects.get(project=smart_city)
    services.extend(grant, {"new_end": dt.date(2023, 4, 30), "reason": "Strategie später",
                            "decided_on": None}, None)  # fmt: skip
    milestone = Milestone.objects.get(project=smart_city, reached_on__isnull=True)
    services.reach_milestone(milestone, dt.date(2022, 9, 29), None)
    smart_city.status = "completed"
    smart_city.save()
    call_command("report_projects", "--out", str(tmp_path / "zweite.docx"))
    text = docx_text((tmp_path / "zweite.docx").read_bytes())
    assert "Was sich seit dem letzten Papier geändert hat" in text
    assert f"{smart_city.title}: Meilenstein erreicht: {milestone.title}." in text
    assert f"{smart_city.title}: der Förderzeitraum endet jetzt am 30.04.2023." in text
    assert "„läuft“ zu „abgeschlossen“" in text
    assert "Digitalisierungszentrum Barleben:" not in text  # unchanged
    call_command("report_projects", "--out", str(tmp_path / "dritte.pdf"))
    assert "Nichts hat sich geändert." in pdf_text((tmp_path / "dritte.pdf").read_bytes())


def test_the_command_refuses_an_unknown_format_and_authority(barleben, tmp_path):
    with pytest.raises(CommandError, match=r"\.pdf or \.docx"):
        call_command("report_projects", "--out", str(tmp_path / "vorlage.odt"))
    with pytest.raises(CommandError, match="no authority"):
        call_command("report_projects", "--out", str(tmp_path / "v.pdf"), "--authority", "x")
    assert not ReportSnapshot.objects.exists()


def test_the_staff_page_previews_and_makes_the_paper(barleben):
    client = log_in(Client(), "digitales")
    page = client.get("/verwaltung/projekte/bericht/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "197.516,55 € (35 %)" in html
    assert "Dies ist das erste aus der Plattform erzeugte Papier." in html
    response = client.post("/verwaltung/projekte/bericht/datei/",
                           {"format": "docx", "behoerde": "barleben"})  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    assert "366.816,00 €" in docx_text(response.content)
    snapshot = ReportSnapshot.objects.get()
    assert snapshot.created_by.username == "digitales"
    response = client.post("/verwaltung/projekte/bericht/datei/", {"format": "exe"})
    assert response.status_code == 400
    assert (
        "Verglichen mit dem Papier vom"
        in client.get("/verwaltung/projekte/bericht/").content.decode()
    )

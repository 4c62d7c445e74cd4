"""Process models: what is refused on upload (with the element named), versions, the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.processes import packages
from rathaus.processes.bpmn import ModelInvalid, parse
from rathaus.processes.models import ProcessModel, ProcessVersion
from tests.support import log_in

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

BPMN, FORMS = packages.read_directory(packages.DEFAULT_DIRECTORY)


def problems(xml: str, forms: dict | None = None) -> list[str]:
    with pytest.raises(ModelInvalid) as info:
        parse(xml, FORMS if forms is None else forms)
    return info.value.problems


def test_the_default_model_parses_with_its_steps_in_diagram_order():
    parsed = parse(BPMN, FORMS)
    assert parsed.process_id == "Antrag_Standard"
    names = [step.name for step in parsed.steps]
    assert names[0] == "Antrag eingegangen"
    assert names.index("Vollständigkeit prüfen") < names.index("Entscheiden")


def test_xml_syntax_errors_name_the_line():
    found = problems(BPMN.replace("</bpmn:process>", "</bpmn:proces>"))
    assert len(found) == 1
    assert "kein gültiges XML (Zeile" in found[0]


def test_schema_errors_name_the_line():
    found = problems(
        BPMN.replace('<bpmn:userTask id="Task_Decide"', '<bpmn:userTask wrong="1" id="Task_Decide"')
    )
    assert any("entspricht nicht dem BPMN-2.0-Schema" in p and "wrong" in p for p in found)


def test_an_unsupported_element_is_refused_with_its_id_and_line():
    xml = BPMN.replace(
        "<bpmn:incoming>Flow_Escalated</bpmn:incoming>",
        '<bpmn:incoming>Flow_Escalated</bpmn:incoming><bpmn:signalEventDefinition id="Signal_1" />',
    ).replace(
        '<bpmn:sequenceFlow id="Flow_Start"',
        '<bpmn:complexGateway id="Complex_1" name="Komplex" /><bpmn:sequenceFlow id="Flow_Start"',
    )
    found = problems(xml)
    assert any('<bpmn:complexGateway id="Complex_1" name="Komplex"> in Zeile' in p
               and "nicht unterstützt" in p for p in found)  # fmt: skip
    assert any("signalEventDefinition" in p and "End_Escalated" in p for p in found)


def test_service_tasks_need_a_registered_handler():
    found = problems(BPMN.replace('camunda:topic="escalate"', 'camunda:topic="fax_senden"'))
    assert any("fax_senden" in p and "Task_Escalate" in p and "request_documents" in p
               for p in found)  # fmt: skip


def test_user_tasks_need_a_form_of_the_model():
    found = problems(BPMN, {"completeness": FORMS["completeness"]})
    assert any("„decision“ gehört nicht zum Modell" in p for p in found)
    broken = {**FORMS, "decision": {"schema": {}, "layout": {"steps": []}}}
    assert any("Aufgabenformular „decision“" in p for p in problems(BPMN, broken))


def test_script_tasks_are_refused_unless_switched_on(settings):
    xml = BPMN.replace(
        '<bpmn:sequenceFlow id="Flow_Start"',
        '<bpmn:scriptTask id="Script_1" name="Rechnen"><bpmn:script>x = 1</bpmn:script>'
        '</bpmn:scriptTask><bpmn:sequenceFlow id="Flow_Start"',
    )
    assert any(
        "Skript-Aufgaben sind in dieser Installation abgeschaltet" in p for p in problems(xml)
    )
    settings.RATHAUS_PROCESS_SCRIPT_TASKS = True
    assert parse(xml, FORMS).process_id == "Antrag_Standard"


def test_timers_need_iso_literals_and_conditions_valid_python():
    xml = BPMN.replace(">P14D<", ">in zwei Wochen<").replace(
        "complete == True", "complete ==="
    )  # fmt: skip
    found = problems(xml)
    assert any("„in zwei Wochen“ ist keine Dauer" in p and "Timer_Reminder" in p for p in found)
    assert any("Flow_Complete" in p and "kein gültiger Ausdruck" in p for p in found)


def test_a_model_without_diagram_information_is_refused():
    start = BPMN.index("<bpmndi:BPMNDiagram")
    end = BPMN.index("</bpmndi:BPMNDiagram>") + len("</bpmndi:BPMNDiagram>")
    found = problems(BPMN[:start] + BPMN[end:])
    assert any("keine Diagramminformationen" in p for p in found)


@pytest.mark.django_db
def test_the_default_model_is_installed_by_migrate_once():
    model = ProcessModel.objects.get(is_default=True)
    assert model.versions.count() == 1
    packages.install_default()
    assert model.versions.count() == 1
    version = model.current_version()
    with pytest.raises(ValueError, match="cannot be changed"):
        version.save()


@pytest.mark.django_db
def test_heads_upload_new_versions_on_the_model_page(barleben):
    from django.contrib.auth import get_user_model

    from rathaus.core import roles
    from rathaus.core.models import Membership

    head = get_user_model().objects.get(username="ordnungsamt")  # a head of unit
    assert Membership.objects.filter(user=head, role__name=roles.HEAD).exists()
    client = log_in(Client(), "ordnungsamt")
    assert (
        "Antrag bearbeiten (Standardablauf)" in client.get("/verwaltung/prozesse/").content.decode()
    )
    url = "/verwaltung/prozesse/antrag-standard/"
    bad = BPMN.replace('camunda:topic="escalate"', 'camunda:topic="fax_senden"')
    response = client.post(url, {"bpmn": SimpleUploadedFile("p.bpmn", bad.encode())})
    assert response.status_code == 422
    assert "fax_senden" in response.content.decode()
    assert ProcessVersion.objects.filter(model__slug="antrag-standard").count() == 1
    changed = BPMN.replace('name="Entscheiden"', 'name="Über den Antrag entscheiden"')
    response = client.post(url, {"bpmn": SimpleUploadedFile("p.bpmn", changed.encode())})
    assert response.status_code == 302
    versions = ProcessVersion.objects.filter(model__slug="antrag-standard").order_by("number")
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].created_by == head
    assert versions[1].task_forms == versions[0].task_forms
    assert "Über den Antrag entscheiden" in client.get(url).content.decode()
    # Vendor attributes that change nothing are stored, with a note on the next page.
    noted = changed.replace('name="Entscheiden"', 'name="Entscheiden" camunda:asyncBefore="true"')
    noted = noted.replace('<bpmn:userTask id="Task_Decide"',
                          '<bpmn:userTask camunda:asyncBefore="true" id="Task_Decide"')  # fmt: skip
    response = client.post(url, {"bpmn": SimpleUploadedFile("p.bpmn", noted.encode())},
                           follow=True)  # fmt: skip
    assert "camunda:asyncBefore (1×) wird nicht beachtet" in response.content.decode()
    versions = ProcessVersion.objects.filter(model__slug="antrag-standard").order_by("number")
    assert client.get(f"{url}v2.bpmn").content.decode() == changed
    assert [v.number for v in versions] == [1, 2, 3]
    # A clerk reads but cannot upload.
    clerk = log_in(Client(), "buergerbuero")
    assert clerk.get(url).status_code == 200
    assert (
        clerk.post(url, {"bpmn": SimpleUploadedFile("p.bpmn", changed.encode())}).status_code == 403
    )


@pytest.mark.django_db
def test_import_process_command_installs_a_model_for_a_form(barleben, tmp_path, capsys):
    import shutil

    from django.core.management import CommandError, call_command

    target = tmp_path / "anliegen"
    shutil.copytree(packages.DEFAULT_DIRECTORY, target)
    call_command("import_process", str(target), slug="melde-prozess", form="meldebescheinigung")
    model = ProcessModel.objects.get(slug="melde-prozess")
    assert model.form.slug == "meldebescheinigung"
    assert "stored as version 1" in capsys.readouterr().out
    (target / "process.bpmn").write_text(BPMN.replace('camunda:topic="escalate"', ""), "utf-8")
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import_process", str(target), slug="melde-prozess")
    assert "Task_Escalate" in capsys.readouterr().err
    assert model.versions.count() == 1


def test_problems_name_the_element_with_the_prefix_of_the_file():
    xml = BPMN.replace("bpmn:", "bpmn2:").replace("xmlns:bpmn=", "xmlns:bpmn2=")
    xml = xml.replace('camunda:topic="escalate"', 'camunda:topic="fax_senden"')
    assert parse(xml.replace('camunda:topic="fax_senden"', 'camunda:topic="escalate"'), FORMS)
    assert any(p.startswith('<bpmn2:serviceTask id="Task_Escalate"') for p in problems(xml))


def test_camunda_form_fields_become_a_task_form():
    from lxml import etree

    from rathaus.processes.camunda_forms import converted

    xml = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><bpmn:process id="p">
      <bpmn:userTask id="Check" name="Prüfen"><bpmn:extensionElements><camunda:formData>
        <camunda:formField id="ok" label="In Ordnung?" type="boolean">
          <camunda:validation><camunda:constraint name="required" /></camunda:validation>
        </camunda:formField>
        <camunda:formField id="art" label="Art" type="enum">
          <camunda:value id="a" name="Erstantrag" /><camunda:value id="b" />
        </camunda:formField>
        <camunda:formField id="datei" type="file" />
      </camunda:formData></bpmn:extensionElements></bpmn:userTask></bpmn:process>
    </bpmn:definitions>"""
    forms, notes = converted(etree.fromstring(xml))
    form = forms["Check"]
    assert form["schema"]["required"] == ["ok"]
    assert form["schema"]["properties"]["art"] == {"type": "string", "enum": ["a", "b"]}
    assert [e["field"] for e in form["layout"]["steps"][0]["elements"]] == ["ok", "art"]
    assert form["layout"]["steps"][0]["elements"][1]["choices"][1] == {"value": "b", "label": "b"}
    assert len(notes) == 1
    assert "datei" in notes[0]
    assert "Zeile 10" in notes[0]

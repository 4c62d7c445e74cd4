"""The process models that rathaus ships are drawn with whole words in every label.

bpmn-js breaks a word that is wider than its shape in the middle ("Vollständigke / it
prüfen"); German compounds need shapes wide enough for them. Each shipped model is drawn by
the same viewer the case page uses, and every label must read as its name, word for word.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support import ROOT

MODELS = sorted((ROOT / "src" / "rathaus" / "processes" / "data").glob("*/process.bpmn"))
VIEWER = ROOT / "src" / "rathaus" / "static" / "vendor" / "bpmn-js"

LABELS = """() => [...document.querySelectorAll('.djs-element[data-element-id]')].map(element => ({
  id: element.dataset.elementId,
  lines: [...element.querySelectorAll(':scope > .djs-visual text tspan')].map(t => t.textContent),
}))"""


def test_the_shipped_models_are_found():
    assert {path.parent.name for path in MODELS} >= {"default", "anliegen"}


@pytest.mark.parametrize("model", MODELS, ids=lambda path: path.parent.name)
def test_no_label_of_a_shipped_model_breaks_a_word(browser: Browser, model: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.set_content('<div id="diagram" style="width:1200px;height:700px"></div>')
        page.add_style_tag(path=str(VIEWER / "diagram-js.css"))
        page.add_style_tag(path=str(VIEWER / "bpmn-js.css"))
        page.add_script_tag(path=str(VIEWER / "bpmn-viewer.production.min.js"))
        xml = model.read_text(encoding="utf-8")
        warnings = page.evaluate(
            f"""async () => {{
              const viewer = new BpmnJS({{container: '#diagram'}});
              const result = await viewer.importXML({json.dumps(xml)});
              return result.warnings.map(w => w.message);
            }}"""
        )
        assert warnings == []
        names = page.evaluate(
            f"""() => Object.fromEntries([...new DOMParser()
              .parseFromString({json.dumps(xml)}, 'text/xml')
              .querySelectorAll('[id][name]')].map(e => [e.getAttribute('id'),
                                                           e.getAttribute('name')]))"""
        )
        drawn = [label for label in page.evaluate(LABELS) if label["lines"]]
        assert len(drawn) >= 10
        broken = {
            label["id"]: label["lines"]
            for label in drawn
            if " ".join(line.strip() for line in label["lines"]).split()
            != names.get(label["id"].removesuffix("_label"), "").split()
        }
        assert broken == {}
    finally:
        context.close()

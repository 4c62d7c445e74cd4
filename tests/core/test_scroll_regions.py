"""A table that may scroll sideways sits in a region a keyboard can reach and a screen reader
can name (WCAG 2.1.1, axe ``scrollable-region-focusable``): every ``kern-table-responsive``
wrapper in the templates is focusable and labelled by an element of its page. The ``{% kern_table %}``
tag writes that wrapper (role and tabindex: tests/core/test_page_head.py); its ``labelledby`` must
name an element of the page too."""

from __future__ import annotations

import re
from pathlib import Path

import rathaus

TEMPLATES = Path(rathaus.__file__).parent
WRAPPER = re.compile(r'<div class="kern-table-responsive[^"]*"[^>]*>')
KERN_TABLE = re.compile(r"\{% kern_table [^%]*%\}")


def wrappers() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "static" in path.relative_to(TEMPLATES).parts:
            continue
        text = path.read_text(encoding="utf-8")
        found += [(path, tag) for tag in WRAPPER.findall(text) + KERN_TABLE.findall(text)]
    return found


def test_the_templates_have_scrolling_tables():
    assert len(wrappers()) >= 15


def test_every_scrolling_table_is_a_focusable_named_region():
    unfit = []
    for path, tag in wrappers():
        text = path.read_text(encoding="utf-8")
        labelled = re.search(r'labelledby="([^"]+)"', tag)  # aria-labelledby, or the tag's
        # one table per item of a loop: labelledby=item.uid|stringformat:"s"|add:"-suffix"
        built = re.search(r'labelledby=([\w.]+)\|stringformat:"s"\|add:"([^"]+)"', tag)
        written = tag.startswith("{% kern_table ") or (
            'role="region"' in tag and 'tabindex="0"' in tag
        )
        if built and written:
            expected = f'id="{{{{ {built.group(1)} }}}}{built.group(2)}"'
            if expected not in text:
                unfit.append(f"{path.relative_to(TEMPLATES)}: no element with {expected}")
        elif not written or not labelled:
            unfit.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        elif f'id="{labelled.group(1)}"' not in text:
            unfit.append(f"{path.relative_to(TEMPLATES)}: no element with id {labelled.group(1)}")
    assert unfit == []

"""The table head tag: one markup for every KERN table."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation


def render(source: str, **context: object) -> str:
    return Template("{% load tables %}" + source).render(Context(context))


def test_one_header_per_label_with_scope_and_numeric_columns_aligned():
    html = render('{% table_head "Form" "Fee" "Applications" numeric="2,3" %}')
    assert html == (
        '<thead class="kern-table__head"><tr class="kern-table__row">'
        '<th scope="col" class="kern-table__header">Form</th>'
        '<th scope="col" class="kern-table__header kern-table__header--numeric">Fee</th>'
        '<th scope="col" class="kern-table__header kern-table__header--numeric">Applications</th>'
        "</tr></thead>"
    )


def test_labels_are_translated_and_escaped():
    with translation.override("de"):
        html = render('{% table_head _("Applications") label %}', label="<b>")
    assert '<th scope="col" class="kern-table__header">Anträge</th>' in html
    assert "&lt;b&gt;" in html
    assert "<b>" not in html


def test_a_numeric_column_that_does_not_exist_is_a_template_error():
    with pytest.raises(TemplateSyntaxError, match=r"no column \[4\]"):
        render('{% table_head "A" "B" numeric="4" %}')

"""The tags that write a page's frame once: breadcrumbs, the title as heading, KERN tables."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError, engines
from django.utils import translation

BASE = "<title>{% block title %}{% endblock %}</title>{% block content %}{% endblock %}"


def render_page(content: str, **context: object) -> str:
    """A page extending a base with a title block, with the project's tag libraries."""
    page = (
        '{% extends "base.html" %}{% load i18n page_head %}'
        '{% block title %}{% translate "My data" %} {{ name }}{% endblock %}'
        "{% block content %}" + content + "{% endblock %}"
    )
    engine = Engine(
        loaders=[
            ("django.template.loaders.locmem.Loader", {"base.html": BASE, "page.html": page}),
            "django.template.loaders.app_directories.Loader",  # the tags' own templates
        ],
        libraries=engines["django"].engine.libraries,
    )
    with translation.override("de"):
        return engine.get_template("page.html").render(Context(context))


def test_the_heading_repeats_the_title_block_escaped_once():
    html = render_page("<h1>{% page_title %}</h1>", name="<b>&")
    assert "<title>Meine Daten &lt;b&gt;&amp;</title>" in html
    assert "<h1>Meine Daten &lt;b&gt;&amp;</h1>" in html


def test_the_heading_of_a_title_that_extends_its_parent_title_is_the_same_as_the_title():
    base = "<title>{% block title %}Gemeinde{% endblock %}</title>{% block content %}{% endblock %}"
    page = (
        '{% extends "base.html" %}{% load page_head %}'
        "{% block title %}Bescheid – {{ block.super }}{% endblock %}"
        "{% block content %}<h1>{% page_title %}</h1>{% endblock %}"
    )
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", {"base.html": base, "page.html": page})],
        libraries=engines["django"].engine.libraries,
    )
    html = engine.get_template("page.html").render(Context({}))
    assert "<title>Bescheid – Gemeinde</title>" in html
    assert "<h1>Bescheid – Gemeinde</h1>" in html


def test_breadcrumbs_link_url_names_and_addresses_and_end_with_the_title():
    html = render_page(
        '{% breadcrumbs "accounts:home" _("My account") "/konto/post/" label %}',
        name="",
        label="<i>",
    )
    assert html.endswith(
        '<nav aria-label="Sie sind hier" class="breadcrumbs"><ol>\n'
        '  <li><a class="kern-link" href="/konto/">Mein Konto</a></li>\n'
        '  <li><a class="kern-link" href="/konto/post/">&lt;i&gt;</a></li>\n'
        '  <li aria-current="page">Meine Daten </li>\n'
        "</ol></nav>\n"
    )


def test_breadcrumbs_name_another_current_page_or_none():
    other = render_page('{% breadcrumbs "accounts:home" _("My account") current=_("Mailbox") %}')
    assert '<li aria-current="page">Postfach</li>' in other
    none = render_page('{% breadcrumbs "accounts:home" _("My account") current="" %}')
    assert "aria-current" not in none


def test_an_address_without_its_label_is_a_template_error():
    with pytest.raises(TemplateSyntaxError, match="every address needs its label"):
        render_page('{% breadcrumbs "accounts:home" %}')


TABLE = (
    '{% load tables %}{% kern_table rows labelledby="keys-caption" empty=_("You have no API keys.") %}'
    '<caption id="keys-caption">Keys</caption>{% table_head "Name" %}'
    "{% rows %}{% for row in rows %}<tr><td>{{ row }}</td></tr>{% endfor %}{% endkern_table %}"
)


def test_a_table_of_rows_is_a_labelled_scrollable_region():
    html = Template(TABLE).render(Context({"rows": ["<a>", "b"]}))
    assert html.startswith(
        '<div class="kern-table-responsive" role="region" aria-labelledby="keys-caption" '
        'tabindex="0">\n<table class="kern-table"><caption id="keys-caption">Keys</caption>'
    )
    assert html.endswith(
        '<tbody class="kern-table__body"><tr><td>&lt;a&gt;</td></tr><tr><td>b</td></tr></tbody>\n'
        "</table>\n</div>"
    )


def test_no_rows_give_the_sentence_instead_of_a_table():
    with translation.override("de"):
        html = Template(TABLE).render(Context({"rows": []}))
    assert html == '<p class="kern-body">Sie haben keine API-Schlüssel.</p>'


def test_a_table_needs_its_label_and_its_empty_sentence():
    with pytest.raises(TemplateSyntaxError, match="takes the rows"):
        Template(
            '{% load tables %}{% kern_table rows labelledby="x" %}{% rows %}{% endkern_table %}'
        )

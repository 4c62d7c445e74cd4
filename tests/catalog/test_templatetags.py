from rathaus.catalog.templatetags.catalog import euro, legal_links


def test_euro_formats_cents_the_german_way():
    assert euro(1200) == "12,00\u00a0€"
    assert euro(5) == "0,05\u00a0€"
    assert euro(123456789) == "1.234.567,89\u00a0€"
    assert euro(None) == ""


def test_legal_links_escape_text_and_link_sources():
    html = legal_links("§ 62 PStG <b> [https://www.gesetze-im-internet.de/pstg/__62.html]")
    assert "&lt;b&gt;" in html
    assert 'href="https://www.gesetze-im-internet.de/pstg/__62.html"' in html
    assert legal_links("[javascript:alert(1)]") == "[javascript:alert(1)]"

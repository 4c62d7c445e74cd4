"""Every page a browser test loads is checked by axe-core without the test asking for it."""

from __future__ import annotations

from playwright.sync_api import Page


def test_a_page_with_a_violation_is_reported_after_it_loads(page: Page, axe_reports, server):
    page.goto(f"{server}/")
    axe_reports.wait(page)
    assert any(url.endswith("/") for url in axe_reports.checked)
    assert axe_reports.failures == []
    probe = ('<!doctype html><html lang="de"><head><title>Probe</title></head>'
             '<body><main><img src="data:,"></main></body></html>')  # fmt: skip
    page.route(f"{server}/probe", lambda route: route.fulfill(body=probe, content_type="text/html"))
    page.goto(f"{server}/probe")
    page.wait_for_function("() => document.readyState === 'complete'")
    page.wait_for_timeout(100)
    axe_reports.wait(page)
    found = axe_reports.failures[:]
    axe_reports.failures.clear()  # the violation is this test's own probe
    assert any("image-alt" in failure for failure in found), found

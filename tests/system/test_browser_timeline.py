"""The timeline in a real headless Chromium: its bars are links that narrow the search in place (htmx)
and without JavaScript; the README's picture of the results page with the timeline and facets.

The server, browser and page fixtures are tests/system/conftest.py's (as test_browser.py's are).
``ARCHIVE_SCREENSHOT_DIR=docs`` (``make screenshots``) writes docs/results-timeline.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.support.browser import AXE, CHROMIUM, NO_CHROMIUM, SCREENSHOT_DIR, watch

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)

BARS = "svg.timeline-chart a.timeline-link"


def count_of(text: str) -> int:
    return int(re.match(r"([\d,]+) articles?", text).group(1).replace(",", ""))


def test_clicking_a_year_bar_narrows_the_search_in_place(page, server):
    page.goto(server + "/?q=police")
    status = page.locator("#result-count")
    expect(status).to_contain_text("articles for police")
    before = count_of(status.inner_text())
    loads = []
    page.on("load", lambda: loads.append(page.url))
    year_bar = page.locator(BARS).first
    label = year_bar.get_attribute("aria-label")  # "2019: 30 articles (18% of that year's 171)"
    year, bar_count = re.match(r"(\d{4}): ([\d,]+) articles?", label).groups()
    year_bar.hover()
    expect(year_bar.locator(".timeline-value")).to_be_visible()  # the number shows over the bar
    year_bar.click()
    expect(status).to_contain_text(f"{bar_count} article")
    assert count_of(status.inner_text()) == int(bar_count.replace(",", "")) < before
    assert parse_qs(urlsplit(page.url).query) == {"q": ["police"], "year": [year]}
    assert loads == [], "the bar's link was followed by htmx, without a page load"
    # The chart now shows that year's months; a month narrows further, and Back returns.
    expect(page.locator("svg.timeline-chart title")).to_have_text(f"Articles matching “police” per month of {year}")
    month_bar = page.locator(BARS).first
    month_label = month_bar.get_attribute("aria-label")
    month_count = re.match(r"\w+ \d{4}: ([\d,]+) articles?", month_label).group(1)
    month_bar.click()
    expect(status).to_contain_text(f"{month_count} article")
    assert "month" in parse_qs(urlsplit(page.url).query)
    expect(page.locator(f"{BARS}[aria-current=true]")).to_have_count(1)
    page.go_back()
    expect(status).to_contain_text(f"{bar_count} article")
    page.go_back()
    expect(status).to_contain_text(f"{before} articles")
    assert loads == [] and page.problems == []


def test_share_toggle_and_keyboard(page, server):
    page.goto(server + "/?q=police")
    page.locator(".timeline-toggle").click()
    expect(page.locator(".timeline-caption")).to_have_text("Share of each year's articles")
    assert parse_qs(urlsplit(page.url).query)["timeline"] == ["share"]
    values = page.locator(f"{BARS} .timeline-value").all_text_contents()
    assert values and all(v.endswith("%") for v in values)
    # A bar is reachable with the keyboard, shows its value on focus, and Enter follows it.
    page.locator(BARS).first.focus()
    expect(page.locator(BARS).first.locator(".timeline-value")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator(".timeline-caption")).to_contain_text("share of each month's articles")
    assert parse_qs(urlsplit(page.url).query)["timeline"] == ["share"]
    # Typing a new query keeps the mode (a hidden field of the form).
    page.fill("#q", "election")
    expect(page.locator("#result-count")).to_contain_text("for election")
    assert parse_qs(urlsplit(page.url).query)["timeline"] == ["share"]
    assert page.problems == []


def test_year_bar_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/?q=election")
    label = page.locator(BARS).last.get_attribute("aria-label")
    year, bar_count = re.match(r"(\d{4}): ([\d,]+) articles?", label).groups()
    with page.expect_navigation():
        page.locator(BARS).last.click()
    assert parse_qs(urlsplit(page.url).query) == {"q": ["election"], "year": [year]}
    assert count_of(page.inner_text("#result-count")) == int(bar_count)
    context.close()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make js-deps needs npm)")
def test_axe_finds_no_violations_in_the_timeline(page, server):
    page.route(server + "/__axe.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    for url in ["/?q=police&timeline=share", "/?q=police&year=2020&month=3", "/?company=ByteDance&company=CNN",
                "/embed?q=election&theme=dark&timeline=share"]:
        page.goto(server + url)
        assert page.locator("svg.timeline-chart").count() == 1
        page.add_script_tag(url=server + "/__axe.js")
        violations = page.evaluate("""async () => (await axe.run(document)).violations.map(
            v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
        assert violations == [], f"{url}: {violations}"
    assert page.problems == []


def test_results_timeline_screenshot(browser, server, tmp_path):
    """The README's picture of the results page with the timeline and facets."""
    context = browser.new_context(viewport={"width": 1100, "height": 760})
    page = context.new_page()
    watch(page)
    page.goto(server + "/?q=election&year=2020")
    expect(page.locator("svg.timeline-chart")).to_be_visible()
    expect(page.locator("#facet-company")).to_be_visible()
    page.locator(BARS).nth(2).hover()  # one bar shows its number, as under a reader's mouse
    problems = list(page.problems)  # before the screenshot: Playwright's own capture styles trip the CSP
    target = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    path = target / "results-timeline.png"
    page.screenshot(path=str(path))
    context.close()
    assert problems == []
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000

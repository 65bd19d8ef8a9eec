"""The search page as a reader meets it in Chromium: history while typing, the phone layout, the keyboard
path to the results, a host page without our stylesheet, and axe on every kind of page in both themes
and at both sizes. Servers, browser and pages come from tests/system/conftest.py's fixtures.
"""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.support.browser import AXE, DESKTOP, PHONE, SCREENSHOT_DIR, watch


def type_slowly(page, text: str):
    """Type as a reader who pauses after every letter, longer than the page's 300 ms search delay."""
    for letter in text:
        with page.expect_response(lambda response: "q=" in response.url and "/suggest" not in response.url):
            page.keyboard.type(letter)
        page.wait_for_timeout(50)


def test_typing_slowly_adds_one_history_entry_and_back_leaves_the_search(page, server):
    page.goto(server + "/")
    start = page.evaluate("history.length")
    page.click("#q")
    type_slowly(page, "bytedance")
    expect(page.locator("#result-count")).to_contain_text("for bytedance")
    with page.expect_response(lambda response: "q=bytedance" in response.url):
        page.keyboard.press("Enter")  # submitting what typing already shows adds nothing
    assert page.evaluate("history.length") == start + 1, "one history entry for one search"
    page.go_back()
    expect(page.locator("#q")).to_have_value("")
    assert urlsplit(page.url).query == ""
    assert page.problems == []


def test_each_submitted_search_is_one_step_back(page, server):
    page.goto(server + "/")
    for word in ("police", "fire"):
        page.fill("#q", "")
        page.click("#q")
        type_slowly(page, word)
        with page.expect_response(lambda response, word=word: f"q={word}" in response.url):
            page.keyboard.press("Enter")
        expect(page.locator("#result-count")).to_contain_text(f"for {word}")
    page.go_back()
    expect(page.locator("#q")).to_have_value("police")
    expect(page.locator("#result-count")).to_contain_text("for police")
    page.go_back()
    expect(page.locator("#q")).to_have_value("")
    assert page.problems == []


def test_on_a_phone_the_results_come_first_and_filters_open_on_demand(phone, server):
    phone.goto(server + "/?q=police")
    title = phone.locator(".hit-title").first.bounding_box()
    assert title["y"] + title["height"] <= PHONE["height"], f"first hit's headline ends at {title}"
    expect(phone.locator("#facet-company")).to_be_hidden()
    summary = phone.locator("#filters > summary")
    expect(summary).to_have_text(re.compile(r"^Filters · [\d,]+ articles$"))
    before = phone.inner_text("#result-count")
    summary.click()
    checkbox = phone.locator("#facet-company input").first
    expect(checkbox).to_be_visible()
    company = checkbox.get_attribute("value")
    checkbox.check()
    # The filters stay open, their summary (held at the top of the screen) says what changed, the
    # focus stays on the box just ticked.
    expect(summary).to_contain_text("Filters (1 selected)")
    expect(phone.locator("#result-count")).not_to_have_text(before)
    assert phone.evaluate("document.getElementById('filters').open")
    assert phone.evaluate("document.activeElement.value") == company
    box = summary.bounding_box()
    assert 0 <= box["y"] < PHONE["height"], "the summary with the count is in view"
    assert parse_qs(urlsplit(phone.url).query) == {"q": ["police"], "company": [company]}
    assert phone.problems == []


def test_chart_labels_are_readable_on_a_phone(phone, server):
    phone.goto(server + "/?q=police")
    sizes = phone.locator(".timeline-label").evaluate_all(
        "labels => labels.map(l => l.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 10, f"label heights on screen: {sizes}"
    overlaps = phone.locator(".timeline-label").evaluate_all("""labels => {
        const boxes = labels.map(l => l.getBoundingClientRect());
        return boxes.slice(1).filter((b, i) => b.left < boxes[i].right).length; }""")
    assert overlaps == 0


def test_on_a_desktop_the_filters_are_open_beside_the_results(page, server):
    page.set_viewport_size(DESKTOP)
    page.goto(server + "/?q=police")
    expect(page.locator("#facet-company")).to_be_visible()
    expect(page.locator("#filters > summary")).to_be_hidden()
    facets, hits = page.locator("#filters").bounding_box(), page.locator(".hits").bounding_box()
    assert facets["x"] + facets["width"] < hits["x"], "a column of its own, left of the hits"


def test_the_skip_link_leads_to_the_first_result(page, server):
    page.goto(server + "/?q=police")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first = page.locator(".hit-title a").first
    assert page.evaluate("document.activeElement.href") == first.evaluate("a => a.href")


def test_the_home_page_still_puts_the_cursor_in_the_box(page, server):
    page.goto(server + "/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_clear_all_removes_every_filter_and_keeps_the_query(page, server):
    page.goto(server + "/?q=police&company=Twitter&year=2020&sort=newest")
    page.click("text=Clear all filters")
    expect(page.locator(".chips")).to_have_count(0)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["police"], "sort": ["newest"]}
    expect(page.locator("#q")).to_have_value("police")


def test_timeline_on_a_host_page_without_our_stylesheet_is_no_black_block(page, server, intranet):
    allowed, _ = intranet
    page.goto(f"{allowed}/htmx?app={server}")
    expect(page.locator(".hit-title")).to_be_visible()
    fills = page.locator(".timeline-hit").evaluate_all("rects => rects.map(r => getComputedStyle(r).fill)")
    assert fills and all(fill in ("transparent", "rgba(0, 0, 0, 0)", "none") for fill in fills), fills


AXE_PAGE_KINDS = [
    "/", "/?q=police", "/?q=police&company=Twitter&year=2020&month=1", "/?q=*x", "/?q=police&page=99",
    "/?q=nosuchwordanywhere", "/company/twitter", "/no/such/page", "/embed?q=ByteDance", "/embed/article/{seed}",
    "/article/{seed}?q=ByteDance", "/facet/company?q=police", "/facet/company?q=police&company=Twitter&facet_limit=10",
    "/embed/facet/company?q=police", "/?q=police&from=2020-06-01&to=2020-05-01",
]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make js-deps needs npm)")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_on_every_page_kind(browser, server, seed_id, viewport, scheme):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    page.route(server + "/__axe.js", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    found = {}
    for url in [u.format(seed=seed_id) for u in AXE_PAGE_KINDS]:
        page.goto(server + url)
        if page.locator("#filters > summary").is_visible():
            page.click("#filters > summary")  # check the open filters too
        page.add_script_tag(url=server + "/__axe.js")
        passes, violations = page.evaluate("""async () => { const r = await axe.run(document);
            return [r.passes.length, r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))]; }""")  # noqa: E501 -- inside a triple-quoted JS literal; wrapping would change the script text
        assert passes > 10, f"{url}: axe checked almost nothing"
        if violations:
            found[url] = violations
    context.close()
    assert found == {}


def _screenshot(page, name: str, tmp_path, full_page: bool = False):
    """Save a README picture (docs/ under `make screenshots`) and check it is a real, non-blank PNG."""
    problems = list(page.problems)  # before the screenshot: Playwright's own capture styles trip the CSP
    target = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    path = target / name
    page.screenshot(path=str(path), full_page=full_page)
    assert problems == []
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_desktop_screenshot(browser, server, tmp_path):
    """The README's picture of a search on a desktop: filters on the left, chips, hits, timeline."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watch(page)
    page.goto(server + "/?q=police&source=Wikinews")
    expect(page.locator("#facet-company")).to_be_visible()
    expect(page.locator(".hit-title").first).to_be_visible()
    _screenshot(page, "search-desktop.png", tmp_path)
    context.close()


@pytest.mark.parametrize("filters", ["closed", "open"])
def test_phone_screenshot(phone, server, tmp_path, filters):
    """The README's pictures of a search on a phone, with the filters closed (results first) and open."""
    phone.goto(server + "/?q=police")
    expect(phone.locator(".hit-title").first).to_be_visible()
    if filters == "open":
        phone.locator("#filters > summary").click()
        expect(phone.locator("#facet-company")).to_be_visible()
    else:
        expect(phone.locator("#facet-company")).to_be_hidden()
    _screenshot(phone, f"search-phone-{filters}.png", tmp_path)

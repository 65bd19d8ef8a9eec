"""The search box's suggestions in a real headless Chromium (issue 7): typing fills the datalist through
htmx. The feeds, the CSV export and the suggestions over the test client are tests/integration/test_feeds.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, serve, watch
from web import create_app


@pytest.fixture(scope="module")
def live_server(bundled_index):
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    app = create_app({"INDEX_DIR": str(bundled_index)})
    url, stop = serve(app)
    yield url
    stop()
    app.extensions["archive"].close()


def test_search_box_autocompletes_in_chromium(live_server):
    """Typing fills the datalist through htmx (no script of ours, CSP intact); the search runs as before."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            watch(page)
            suggest_requests = []
            page.on("request", lambda r: "/suggest" in r.url and suggest_requests.append(r.url))
            page.goto(live_server + "/")
            page.locator("#q").press_sequentially("byte", delay=60)
            options = page.locator("#q-suggestions option")
            expect(options).to_have_count(3)
            values = options.evaluate_all("elements => elements.map(e => e.value)")
            assert values == ["ByteDance", "BytePlus", "ByteDance denies report of selling AI technology"]
            expect(page.locator("#result-count")).to_contain_text("for byte")  # the live search still runs
            assert urlsplit(page.url).query == "q=byte"  # history is the search's, not the suggestions'
            assert suggest_requests and all(urlsplit(u).path == "/suggest" for u in suggest_requests)
            assert parse_qs(urlsplit(suggest_requests[-1]).query) == {"q": ["byte"]}  # the box's value only
            page.locator("#q").fill("")
            page.locator("#q").press_sequentially("zzyzx", delay=30)
            expect(options).to_have_count(0)
            # The results page links to the feed and the export of the search being shown.
            page.locator("#q").fill("police")
            expect(page.locator(".exports a").first).to_have_attribute("href", "/search.atom?q=police")
            assert page.problems == [], page.problems
        finally:
            browser.close()

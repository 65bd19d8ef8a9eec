"""The search page in a real headless Chromium, against the app on a real HTTP server on loopback."""

import shutil
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from web import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
# Flags for a root sandbox with no network beyond loopback (see the machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(bundled_index):
    app = create_app({"INDEX_DIR": str(bundled_index)})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)
    httpd.server_close()
    app.extensions["archive"].close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def test_typing_bytedance_shows_the_seed_with_its_company_facets(page, server):
    page.goto(server + "/")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.fill("#q", "ByteDance")
    expect(page.locator("#result-count")).to_contain_text("1 article for ByteDance")
    assert page.inner_text(".hit-title") == "ByteDance denies report of selling AI technology"
    assert page.inner_html(".hit .snippet").count("<mark>ByteDance</mark>") >= 1
    companies = page.locator("#facet-company label").all_inner_texts()
    names = {text.rsplit(None, 1)[0] for text in companies}
    assert {"ByteDance", "TikTok", "BytePlus", "Financial Times", "Goat"} <= names
    assert loads == [], "results came without a page load"
    assert urlsplit(page.url).query == "q=ByteDance"  # the canonical URL is pushed
    assert page.problems == []


def test_facet_narrows_and_back_restores(page, server):
    page.goto(server + "/?q=police")
    before = page.inner_text("#result-count")
    first_company = page.locator("#facet-company input").first
    value = first_company.get_attribute("value")
    first_company.check()
    expect(page.locator("#facet-company input").first).to_be_checked()
    expect(page.locator("#result-count")).not_to_have_text(before)
    assert parse_qs(urlsplit(page.url).query)["company"] == [value]
    assert int(page.inner_text("#result-count").split()[0]) < int(before.split()[0])
    page.go_back()
    expect(page.locator("#result-count")).to_have_text(before)
    assert "company" not in parse_qs(urlsplit(page.url).query)
    assert page.problems == []


def test_page_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.fill("#q", "ByteDance")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text(".hit-title") == "ByteDance denies report of selling AI technology"
    page.check("#facet-company input[value=TikTok]")
    page.locator("noscript button, button:has-text('Apply filters')").first.click()
    page.wait_for_load_state()
    assert parse_qs(urlsplit(page.url).query)["company"] == ["TikTok"]
    context.close()


def test_a_bad_query_says_what_is_wrong_in_place(page, server):
    page.goto(server + "/")
    page.fill("#q", "*ance")
    expect(page.locator("#result-count")).to_contain_text("a wildcard needs at least 2 letters")
    assert page.input_value("#q") == "*ance"
    page.fill("#q", "bytedance")
    expect(page.locator("#result-count")).to_contain_text("1 article for bytedance")
    # The failed request is logged by Chromium as a 400; nothing else may be.
    assert [p for p in page.problems if "400" not in p] == []

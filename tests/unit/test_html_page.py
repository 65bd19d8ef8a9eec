"""parse_html on small hand-written pages: headline, date, captions, skipped pages, encodings, hostile markup."""

import time

import pytest

from search.article import ArticleDraft
from search.ingest.formats.html import MAX_PAGE_BYTES, NotArticle, decode_page, parse_html
from search.ingest.formats.html_metadata import strip_site_name

BODY = " ".join(["The council voted on Tuesday to rebuild the old harbour bridge, which has been closed since"
                 " the storm of last winter damaged two of its piers beyond repair."] * 3)


def page(title="Council votes to rebuild the harbour bridge", head="", body="", h1=None, lang="en"):
    heading = title if h1 is None else h1
    return (f"<!DOCTYPE html><html lang='{lang}'><head><title>{title}</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{heading}</h1>"
            f"{body}<p>{BODY}</p><p>{BODY}</p></article><footer>© The Harbour Gazette</footer></body></html>")


def read(html, url="https://www.harbourgazette.example/news/bridge-vote") -> ArticleDraft:
    draft = parse_html(html, url=url)
    assert isinstance(draft, ArticleDraft), draft
    return draft


# --- headline -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Council votes to rebuild the harbour bridge - The Harbour Gazette",
    "Council votes to rebuild the harbour bridge | The Harbour Gazette",
    "Council votes to rebuild the harbour bridge – HarbourGazette.example",
    "The Harbour Gazette | Council votes to rebuild the harbour bridge",
    "Council votes to rebuild the harbour bridge | News | The Harbour Gazette",
])
def test_the_site_name_is_taken_off_the_title(title):
    site = "<meta property='og:site_name' content='The Harbour Gazette'>"
    draft = read(page(title=title, head=site, h1="Local news"))  # the <h1> disagrees: the <title> is used
    assert draft.title == "Council votes to rebuild the harbour bridge"
    assert draft.source == "The Harbour Gazette"


def test_the_articles_h1_wins_over_an_seo_title():
    draft = read(page(title="Bridge vote: council agrees rebuild - The Harbour Gazette",
                      head="<meta property='og:title' content='Council agrees to rebuild harbour bridge'>",
                      h1="‘We had no choice’: council agrees to rebuild the harbour bridge"))
    assert draft.title == "‘We had no choice’: council agrees to rebuild the harbour bridge"


def test_opinion_prefix_is_a_section_not_part_of_the_headline():
    assert strip_site_name("Opinion | Bridges Are Worth It - The Harbour Gazette", ["The Harbour Gazette"]) == (
        "Bridges Are Worth It", "Opinion")
    draft = read(page(title="Opinion | Bridges Are Worth It - The Harbour Gazette",
                      head="<meta property='og:site_name' content='The Harbour Gazette'>", h1="Site"))
    assert draft.title == "Bridges Are Worth It"
    assert "Opinion" in draft.sections


def test_a_site_name_inside_the_headline_stays():
    stripped, _ = strip_site_name("9to5Mac Gift Guide: what to buy - 9to5Mac", ["9to5Mac"])
    assert stripped == "9to5Mac Gift Guide: what to buy"


# --- date -----------------------------------------------------------------------------------------------------

def test_json_ld_date_keeps_its_offset():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
          ' "headline": "Council votes to rebuild the harbour bridge", "datePublished": "2019-11-19T06:56:43-05:00",'
          ' "articleSection": "Local", "author": {"@type": "Person", "name": "Ann Reporter"}}</script>')
    draft = read(page(head=ld))
    assert draft.published == "2019-11-19T06:56:43-05:00"
    assert draft.sections == ["Local"]
    assert draft.byline == "Ann Reporter"


def test_article_published_time():
    draft = read(page(head="<meta property='article:published_time' content='2018-10-09T16:02:36+01:00'>"))
    assert draft.published == "2018-10-09T16:02:36+01:00"


def test_time_element_beside_the_headline():
    draft = read(page(body="<time datetime='2014-06-21T09:41:45+01:00'>21/06/2014</time>"))
    assert draft.published == "2014-06-21T09:41:45+01:00"


def test_date_in_the_url():
    draft = read(page(), url="https://www.harbourgazette.example/2019/11/18/bridge-vote/")
    assert draft.published == "2019-11-18"


def test_no_date_is_none_not_today():
    draft = read(page(body="<p>Posted a while ago.</p>"))
    assert draft.published is None


def test_an_impossible_date_is_not_taken():
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"}</script>'
    assert read(page(head=ld)).published is None


# --- captions, canonical, language ---------------------------------------------------------------------------

def test_figure_caption_and_credit_are_kept_apart_from_the_body():
    figure = ("<figure><img src='b.jpg'><figcaption>The harbour bridge after the storm of last winter, seen from"
              " the north quay <span class='credit'>Photo: Jane Lens/Getty Images</span></figcaption></figure>"
              "<figure><img src='c.jpg'><figcaption>Workers inspect the damaged piers of the bridge. (Xinhua)"
              "</figcaption></figure>")
    draft = read(page(body=figure))
    assert draft.captions == ["The harbour bridge after the storm of last winter, seen from the north quay",
                              "Workers inspect the damaged piers of the bridge."]
    assert draft.credits == ["Jane Lens/Getty Images", "Xinhua"]
    assert not any("north quay" in p or "Xinhua" in p for p in draft.paragraphs)


def test_canonical_url_and_language():
    head = "<link rel='canonical' href='/news/2019/bridge-vote'><meta property='og:locale' content='en_GB'>"
    draft = read(page(head=head, lang="en-gb"))
    assert draft.url == "https://www.harbourgazette.example/news/2019/bridge-vote"
    assert draft.language == "en-GB"


def test_boilerplate_lines_leave_the_body():
    extra = ("<p>Advertisement</p><p>Read more: Ferry fares rise again</p>"
             "<p>Sign up for our daily newsletter to get the news in your inbox.</p>")
    draft = read(page(body=extra))
    assert not any(p.startswith(("Advertisement", "Read more", "Sign up")) for p in draft.paragraphs)


# --- pages that are not articles ------------------------------------------------------------------------------

def test_home_page_with_many_links_is_skipped():
    links = "".join(f"<li><a href='/news/story-{i}'>Story number {i} of the day in the harbour</a></li>"
                    for i in range(80))
    html = f"<html><head><title>The Harbour Gazette</title></head><body><ul>{links}</ul></body></html>"
    result = parse_html(html, url="https://www.harbourgazette.example/")
    assert isinstance(result, NotArticle) and "home page" in result.reason
    result = parse_html(html, url="https://www.harbourgazette.example/latest")
    assert isinstance(result, NotArticle) and "links" in result.reason


def test_error_page_is_skipped():
    html = ("<html><head><title>404 Page not found - The Harbour Gazette</title></head><body><h1>Page not found"
            "</h1><p>Sorry, we could not find that page.</p></body></html>")
    result = parse_html(html, url="https://www.harbourgazette.example/news/gone")
    assert isinstance(result, NotArticle) and "error page" in result.reason


def test_tag_page_is_skipped():
    result = parse_html(page(), url="https://www.harbourgazette.example/tag/bridges/")
    assert isinstance(result, NotArticle) and "tag" in result.reason


# --- encodings ------------------------------------------------------------------------------------------------

def test_latin1_without_declaration():
    html = page(title="Café owners welcome the bridge vote", body="<p>Über 200 Bürger kamen.</p>")
    assert read(html.encode("latin-1")).title == "Café owners welcome the bridge vote"


def test_cp1252_declared_in_meta():
    html = page(title="Council’s “yes” to the bridge", head="<meta charset='windows-1252'>")
    assert read(html.encode("cp1252")).title == "Council’s “yes” to the bridge"


def test_utf8_bom_and_utf16_bom():
    html = page(title="Zürich approves the bridge")
    assert read(b"\xef\xbb\xbf" + html.encode("utf-8")).title == "Zürich approves the bridge"
    assert decode_page(html.encode("utf-16")) == html


def test_utf8_page_that_declares_latin1_is_read_as_utf8():
    html = page(title="São Paulo approves the bridge", head="<meta charset='iso-8859-1'>")
    assert read(html.encode("utf-8")).title == "São Paulo approves the bridge"


# --- hostile pages --------------------------------------------------------------------------------------------

def test_script_in_title_and_event_handlers_give_text_only():
    html = page(title="Bridge <script>alert(1)</script>vote", h1="Council votes <img src=x onerror=alert(1)>to rebuild"
                " the harbour bridge", body="<p onclick='steal()'>Clicked <b>bold</b> text.</p><script>evil()</script>")
    draft = read(html)
    everything = " ".join([draft.title, *draft.paragraphs, *draft.captions])
    assert "<" not in everything and "alert" not in everything and "evil" not in everything
    assert draft.title == "Bridge vote"  # the <title>'s text: the <h1> shares one word with it, too few to agree


def test_javascript_canonical_url_is_not_kept():
    head = "<link rel='canonical' href='javascript:alert(1)'><meta property='og:url' content='data:text/html,x'>"
    assert read(page(head=head)).url == "https://www.harbourgazette.example/news/bridge-vote"
    assert read(page(head=head), url="").url == ""


def test_json_ld_with_a_closing_script_tag_in_a_string():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x</script><script>alert(1)'
          '</script>", "datePublished": "2019-11-19"}</script>')
    draft = read(page(head=ld))
    assert "alert" not in draft.title and "<" not in draft.title
    assert all("alert(1)" not in p for p in draft.paragraphs)


def test_huge_page_is_refused_before_parsing():
    started = time.perf_counter()
    result = parse_html(b"<html><body>" + b"<p>word </p>" * (MAX_PAGE_BYTES // 11) + b"</body></html>")
    assert isinstance(result, NotArticle) and "too large" in result.reason
    assert time.perf_counter() - started < 1


def test_deep_nesting_finishes_fast():
    html = page(body="<div>" * 10_000 + "deep" + "</div>" * 10_000)
    started = time.perf_counter()
    result = parse_html(html)
    assert isinstance(result, ArticleDraft | NotArticle)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("raw", [b"", b"\x00\x01\x02binary", b"<html><body><p>cut off <b", "<<<>>>", b"\xff\xfe\x00"])
def test_broken_input_is_a_reason_not_an_exception(raw):
    assert isinstance(parse_html(raw), NotArticle)


def test_angle_brackets_in_text_are_text():
    draft = read(page(title="Is 3 &lt; 4 &gt; 2? Council votes to rebuild the harbour bridge"))
    assert draft.title == "Is 3 < 4 > 2? Council votes to rebuild the harbour bridge"


# --- facet values: one publication, one section value -------------------------------------------------------

@pytest.mark.parametrize(("site_name", "source"), [
    ("The Jerusalem Post | JPost.com", "The Jerusalem Post"),
    ("Autoracing | F1 | Indy | MotoGP | StockCar | NASCAR", "Autoracing"),
    ("The Harbour Gazette", "The Harbour Gazette"),
    ("9to5Mac", "9to5Mac"),
])
def test_the_source_is_the_first_part_of_a_packed_site_name(site_name, source):
    draft = read(page(head=f'<meta property="og:site_name" content="{site_name}">'))
    assert draft.source == source


def test_a_lowercase_section_is_capitalised_so_it_meets_its_capitalised_twin():
    draft = read(page(head='<meta property="article:section" content="news">'))
    assert draft.sections == ["News"]
    draft = read(page(head='<meta property="article:section" content="iPhone">'))
    assert draft.sections == ["iPhone"]


def test_the_date_in_the_url_wins_over_a_utc_time_of_the_evening_before():
    head = '<meta property="article:published_time" content="2019-11-19T04:58:46Z">'
    draft = read(page(head=head), url="https://www.harbourgazette.example/2019/11/18/bridge-vote/")
    assert draft.published == "2019-11-18"
    draft = read(page(head=head), url="https://www.harbourgazette.example/2019/11/19/bridge-vote/")
    assert draft.published == "2019-11-19T04:58:46Z"  # the same day: the time is kept
    draft = read(page(head=head))  # no date in the URL: the page's own, offset and all
    assert draft.published == "2019-11-19T04:58:46Z"


@pytest.mark.parametrize(("section", "sections"), [
    ("Commercial Real Estate,Home Page,Popular", ["Commercial Real Estate"]),
    ("NEWS", ["News"]),
    ("US", ["US"]),
    ("Home Page", []),
    ("Gizmodo.com", []),
    ("BREAKING NEWS: Chelsea activate &amp;#163;71.6m release clause to sign a goalkeeper", []),
    ("Economy &amp; Business", ["Economy & Business"]),
])
def test_section_values_are_facet_values(section, sections):
    draft = read(page(head=f'<meta property="article:section" content="{section}">'))
    assert draft.sections == sections

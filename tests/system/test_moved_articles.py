"""Links to an article survive a headline correction (issue 16). An article with no id of its own, keyed
by its URL or by its file, has an id made of a slug of its headline and a hash of its key
(``make_article_id``): correcting the headline changed the id and old links were a 404. The hash part
depends on the key alone, so an unknown id whose hash is that of an article now served redirects
(301) to the article's current id, after a full build as after an incremental one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.index.build import build_index, update_index
from web import create_app

URL = "https://news.example/2022/zorblax-merger"


def write_articles(corpus: Path, headline: str) -> None:
    folder = corpus / "extra"
    folder.mkdir(exist_ok=True)
    (folder / "by-url.jsonl").write_text(json.dumps({"title": f"{headline} (by URL)", "url": URL,
                                                     "published": "2022-02-02", "body": "Zorblax makers merged."})
                                         + "\n", encoding="utf-8")
    (folder / "by-file.txt").write_text(f"BUSINESS\n{headline} (by file)\nPublished: Feb 02, 2022 09:00 AM\n\n"
                                        "Zorblax makers merged, the file says.\n", encoding="utf-8")


def ids(client) -> dict[str, str]:
    """The zorblax articles' ids: "url" and "file"."""
    hits = client.get("/api/search?q=zorblax").get_json()["hits"]
    return {("url" if "(by URL)" in hit["title"] else "file"): hit["id"] for hit in hits}


@pytest.fixture()
def client(corpus_copy, tmp_path, request):
    write_articles(corpus_copy, "Zorblax makers mrege")
    build_index(corpus_copy, tmp_path / "index", progress=False)
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "TESTING": True})
    request.addfinalizer(app.extensions["archive"].close)
    return app.test_client()


@pytest.mark.parametrize("rebuild", [build_index, update_index])
def test_an_old_link_redirects_to_the_article_after_its_headline_is_corrected(client, corpus_copy, tmp_path, rebuild):
    old = ids(client)
    assert set(old) == {"url", "file"}
    write_articles(corpus_copy, "Zorblax makers merge")
    report = rebuild(corpus_copy, tmp_path / "index", progress=False)
    assert report.mode == ("full" if rebuild is build_index else "incremental")
    new = ids(client)
    for kind in ("url", "file"):
        assert new[kind] != old[kind] and new[kind].endswith(old[kind].rsplit("-", 1)[1])
        response = client.get(f"/article/{old[kind]}?q=zorblax")
        assert response.status_code == 301, response.status_code
        assert response.headers["Location"] == f"/article/{new[kind]}?q=zorblax"
        page = client.get(response.headers["Location"])
        assert page.status_code == 200 and "Zorblax makers merge (by" in page.get_data(as_text=True)
        embedded = client.get(f"/embed/article/{old[kind]}")
        assert embedded.status_code == 301 and embedded.headers["Location"] == f"/embed/article/{new[kind]}"
        assert client.get(f"/article/{new[kind]}").status_code == 200

    write_articles(corpus_copy, "Zorblax makers merge, again corrected")
    rebuild(corpus_copy, tmp_path / "index", progress=False)
    newest = ids(client)
    for kind in ("url", "file"):  # both earlier links lead to the newest id
        for link in (old[kind], new[kind]):
            response = client.get(f"/article/{link}")
            assert response.status_code == 301 and response.headers["Location"] == f"/article/{newest[kind]}"


def test_an_unknown_id_is_still_a_404(client):
    for link in ("no-such-article-0badf00d", "0badf00d", "nope", "zorblax-makers-mrege-by-url"):
        assert client.get(f"/article/{link}").status_code == 404


def test_a_json_client_is_redirected_too(client, corpus_copy, tmp_path):
    """The article page asked for JSON (``Accept: application/json``) gets the same redirect, not an error."""
    old = ids(client)["url"]
    write_articles(corpus_copy, "Zorblax makers merge")
    build_index(corpus_copy, tmp_path / "index", progress=False)
    response = client.get(f"/article/{old}", headers={"Accept": "application/json"})
    assert response.status_code == 301 and response.headers["Location"] == f"/article/{ids(client)['url']}"

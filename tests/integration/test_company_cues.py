"""Company pages of companies that changed names (issue 13's successions), on a tiny index built for
real: each story is filed under the name of its day and each page links the other. The cues and the
lists themselves: tests/unit/test_company_cues.py."""


def test_company_pages_show_and_link_predecessors_and_successors(tmp_path):
    """A 1987 Exxon story and a 2005 ExxonMobil story, indexed for real: each is filed under the name
    of its day, and each company page links the other."""
    import json

    from search.index.build import build_index
    from web import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "corpus.toml").write_text('default_source = "Wire"\n', encoding="utf-8")
    records = [
        {"id": "a", "title": "Exxon raises crude prices", "published": "1987-03-02T10:00:00Z",
         "body": "Exxon Corp said it raised the price it pays for crude oil by one dollar."},
        {"id": "b", "title": "Exxon Mobil profit rises", "published": "2005-01-31T10:00:00Z",
         "body": "Exxon Mobil Corp said quarterly profit rose on higher oil prices."},
    ]
    (corpus / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    build_index(corpus, tmp_path / "index", progress=False)
    app = create_app({"INDEX_DIR": str(tmp_path / "index"), "CORPUS_DIR": str(corpus), "TESTING": True})
    client = app.test_client()
    try:
        _check_succession_pages(client)
    finally:
        app.extensions["archive"].close()


def _check_succession_pages(client):
    from html import unescape

    facet = {v["value"]: v["count"] for v in client.get("/api/search?q=oil").get_json()["facets"]["company"]}
    assert facet.get("Exxon") == 1 and facet.get("ExxonMobil") == 1
    old = unescape(client.get("/company/exxon").get_data(as_text=True))
    assert "<dt>Later</dt>" in old and '<a href="/company/exxonmobil">ExxonMobil</a> (from' in old
    new = unescape(client.get("/company/exxonmobil").get_data(as_text=True))
    assert "<dt>Formerly</dt>" in new and '<a href="/company/exxon">Exxon</a> (until' in new
    # Mobil is a predecessor too, but no article names it: shown without a link (no link to a 404).
    assert "Mobil (until" in new and 'href="/company/mobil"' not in new

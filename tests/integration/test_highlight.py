"""Snippets of hits on the bundled index: a caption's passage is labelled. The snippets and marking
themselves: tests/unit/test_highlight.py."""


def test_hits_show_caption_passages_labelled(archive, seed_id):
    from search.request import SearchRequest

    hit = next(h for h in archive.search(SearchRequest(q="logo")).hits if h.id == seed_id)
    assert "caption" in hit.matched_in and "Caption: " in hit.snippet and "<mark>" in hit.snippet

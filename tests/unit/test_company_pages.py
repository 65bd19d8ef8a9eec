"""A company's page address (/company/<slug>): its slug. The pages on the bundled index:
tests/integration/test_company_pages.py."""

from search.companies.directory import company_slug as slugify


def test_slugs():
    assert slugify("Financial Times") == "financial-times"
    assert slugify("AT&T") == "at-t"
    assert slugify("Société Générale") == "société-générale"
    assert slugify("!!!") == "company"

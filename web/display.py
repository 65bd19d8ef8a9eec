"""How the pages show what the index holds: publication dates (a date-only article gets no made-up
time) and the credits of the sources being served (the footer), with links to their licences.

Template globals (``create_app`` registers them); nothing here builds search URLs (``links.py`` does).
"""

from __future__ import annotations

import re

from flask import current_app

from search.article import day_label, iso_published
from search.errors import ArchiveError
from search.results import Credit

# "CC BY 2.5", "CC BY-SA 4.0", "cc-by-nc-nd 3.0": the Creative Commons licences and their deeds.
_CREATIVE_COMMONS = re.compile(r"cc[ -]by(?P<terms>(?:-(?:nc|sa|nd))*)[ -]v?(?P<version>\d\.\d)", re.IGNORECASE)
_CC0 = re.compile(r"cc0(?: 1\.0)?|cc zero", re.IGNORECASE)
_WEB_URL = re.compile(r"https?://\S+")


def license_url(license: str) -> str:
    """The page of a licence named as articles give it ("CC BY 2.5"), "" when it is not one we know.
    A licence given as an http(s) address is its own page."""
    text = (license or "").strip()
    match = _CREATIVE_COMMONS.fullmatch(text)
    if match:
        return f"https://creativecommons.org/licenses/by{match['terms'].lower()}/{match['version']}/"
    if _CC0.fullmatch(text):
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    if _WEB_URL.fullmatch(text):
        return text
    return ""


def footer_credits() -> list[Credit]:
    """The sources of the index being served that give a licence, most articles first; [] when there is
    no index to ask (the error pages have a footer too)."""
    try:
        return [credit for credit in current_app.extensions["archive"].credits() if credit.license]
    except ArchiveError:
        return []


def published_datetime(item) -> str:
    """The ``datetime`` attribute of an article's or a hit's ``<time>``: the day alone for a date-only one."""
    return iso_published(item.published, item.date_only)


def published_label(item, with_time: bool = False, with_zone: bool = False) -> str:
    """"4 January 2019"; ``with_time``: "5 July 2021, 17:08", and ``with_zone`` "5 July 2021, 17:08 (CST)",
    unless the source gave only the day, whose midnight is made up and never shown."""
    when = item.published
    if when is None:
        return ""
    label = day_label(when)
    if with_time and not item.date_only:
        label += f", {when:%H:%M}"
        if with_zone:
            label += f" ({when.strftime('%Z') or when.strftime('%z')})"
    return label

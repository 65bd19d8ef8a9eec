"""Publication dates: parse the many ways newsrooms write them into timezone-aware datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

from search.errors import InvalidInput

# "Published: Jul 05, 2021 05:08 PM Updated: Jul 06, 2021 ..." -> the part after "Published:".
_LABEL = re.compile(r"^\s*(published|updated|posted|date)\s*:?\s*", re.IGNORECASE)
_LATER_LABEL = re.compile(r"\s+(updated|modified)\s*:.*$", re.IGNORECASE)
# Reuters-21578 has stamps like "26-FEB-1987 15:02:20.00" and some with junk after them
# ("...59.13RM", "...09.88T C"); a real zone ("UTC", "Z") is kept.
_TRAILING_JUNK = re.compile(r"(\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(?!(?:UTC|GMT|Z)$)[A-Za-z][A-Za-z ]*$")

# The two forms most archives write, read without dateutil (a build reads each date three times: the date,
# then twice to learn whether it gives the time of day); anything else, and any value these do not take
# (a 31 February), is dateutil's. tests/unit/test_dates.py checks they read what dateutil reads.
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?")
_DAY_MON_YEAR = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

EARLIEST_YEAR = 1800
LATEST_YEAR = 2200


class DateError(InvalidInput):
    """A publication date that cannot be read."""


def get_zone(name: str) -> tzinfo:
    """Return the time zone called ``name`` ("UTC", "Asia/Shanghai", "+08:00")."""
    if not name or name.upper() == "UTC":
        return UTC
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", name)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DateError(f"unknown time zone {name!r}") from exc


def parse_published(value: object, default_zone: tzinfo = UTC) -> datetime:
    """Return ``value`` (a string, date or datetime) as a timezone-aware datetime.

    A value without a time zone is taken to be in ``default_zone``, the publication's own
    zone, so "Jul 05, 2021 05:08 PM" on a Beijing paper means 17:08 in Beijing.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        parsed = _parse_text(value)
    else:
        raise DateError(f"expected a date, got {type(value).__name__}")
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise DateError(f"date {value!r} is out of range")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=default_zone)
    return parsed


def gives_time(value: object) -> bool:
    """True when a publication date as a source writes it (what ``parse_published`` takes) says the time
    of day, False when it gives only the day ("2019-01-04", "Jan 4, 2019", a ``date``): such an article
    is indexed as date-only, and its made-up midnight is never shown. An unreadable date gives no time."""
    if isinstance(value, datetime):
        return True
    if not isinstance(value, str):
        return False
    try:
        # The default's hour fills in only what the text leaves out: two defaults, two hours, no time given.
        return _parse_text(value, default_hour=0).hour == _parse_text(value, default_hour=1).hour
    except DateError:
        return False


def _parse_text(text: str, default_hour: int = 0) -> datetime:
    cleaned = _LATER_LABEL.sub("", _LABEL.sub("", text.strip()))
    cleaned = _TRAILING_JUNK.sub(r"\1", cleaned)
    if not cleaned:
        raise DateError("empty date")
    if not re.search(r"\d", cleaned):
        raise DateError(f"no date in {text[:80]!r}{'…' if len(text) > 80 else ''}")
    fast = _parse_common(cleaned, default_hour)
    if fast is not None:
        return fast
    try:
        return dateutil_parser.parse(cleaned, default=datetime(2000, 1, 1, default_hour))
    except (ValueError, OverflowError) as exc:
        raise DateError(f"cannot read date {text!r}") from exc


def _parse_common(text: str, default_hour: int) -> datetime | None:
    """``2019-01-04``, ``2019-01-04T09:30[:00[.5]]`` and Reuters' ``26-FEB-1987 15:01:01.79`` as dateutil
    reads them (no zone), or None for any other text or an impossible value."""
    try:
        match = _ISO.fullmatch(text)
        if match:
            year, month, day, hour, minute, second, fraction = match.groups()
            if hour is None:
                return datetime(int(year), int(month), int(day), default_hour)
            return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                            int((fraction or "0").ljust(6, "0")))
        match = _DAY_MON_YEAR.fullmatch(text)
        if match and match.group(2).lower() in _MONTHS:
            day, month, year, hour, minute, second, fraction = match.groups()
            return datetime(int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second),
                            int((fraction or "0").ljust(6, "0")))
    except ValueError:
        return None
    return None

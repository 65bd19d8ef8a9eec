"""Publication dates in the formats real newsrooms use."""

from datetime import UTC, date, datetime

import pytest

from search.article import iso_published
from search.ingest.dates import DateError, get_zone, gives_time, parse_published

BEIJING = get_zone("Asia/Shanghai")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Published: Jul 05, 2021 05:08 PM", "2021-07-05T17:08:00+08:00"),
        ("Published: Mar 24, 2022 06:46 PM Updated: Mar 25, 2022 01:00 AM", "2022-03-24T18:46:00+08:00"),
        ("2019-01-04", "2019-01-04T00:00:00+08:00"),
        ("Updated: 2022-03-07 17:49", "2022-03-07T17:49:00+08:00"),
        ("15:45, 23-Mar-2022", "2022-03-23T15:45:00+08:00"),
        ("26-FEB-1987 00:02:59.13RM", "1987-02-26T00:02:59+08:00"),
        ("27-MAR-1987 02:17:09.88T C", "1987-03-27T02:17:09+08:00"),
        ("2022-08-05 00:27:34 UTC", "2022-08-05T00:27:34+00:00"),
        ("2022-08-05T00:27:34.000Z", "2022-08-05T00:27:34+00:00"),
    ],
)
def test_formats(text, expected):
    assert parse_published(text, BEIJING) == datetime.fromisoformat(expected)


def test_default_zone_is_utc():
    assert parse_published("2020-01-01").tzinfo == UTC


@pytest.mark.parametrize("text", ["", "yesterday", "31/31/2020", "99999-01-01", "1066-10-14"])
def test_bad_dates_are_refused(text):
    with pytest.raises(DateError):
        parse_published(text)


def test_unknown_zone_is_refused():
    with pytest.raises(DateError, match="unknown time zone"):
        get_zone("Mars/Olympus")


@pytest.mark.parametrize(
    "value, gives",
    [
        ("2019-01-04", False),  # Wikinews: the day only
        ("Jan 4, 2019", False),
        ("Published: Jul 05, 2021", False),
        (date(2019, 1, 4), False),
        ("Published: Jul 05, 2021 05:08 PM", True),
        ("Published: Mar 24, 2022 06:46 PM Updated: Mar 25, 2022 01:00 AM", True),
        ("26-FEB-1987 00:02:59.13RM", True),  # Reuters, a time just after midnight
        ("2021-07-05T00:00:00", True),  # midnight, written out: a time
        ("2022-08-05T00:27:34.000Z", True),
        (datetime(2019, 1, 4, tzinfo=UTC), True),
        ("no date here", False),
    ],
)
def test_gives_time_tells_a_time_of_day_from_a_day_alone(value, gives):
    assert gives_time(value) is gives


def test_iso_published_gives_the_day_alone_for_a_date_only_article():
    midnight = parse_published("2019-01-04")
    assert iso_published(midnight, date_only=True) == "2019-01-04"
    assert iso_published(midnight, date_only=False) == "2019-01-04T00:00:00+00:00"
    assert iso_published(None, date_only=False) == ""


COMMON_FORMS = [
    "2019-01-04", "1987-02-26", "2019-02-29", "2020-02-29", "2019-13-01", "2019-00-10", "0999-01-01",
    "2019-01-04T09:30", "2019-01-04 09:30:15", "2019-01-04T09:30:15.5", "2019-01-04T09:30:15.123456",
    "2019-01-04T24:00", "2019-01-04T09:60", "2019-01-04T09:30:61",
    "26-FEB-1987 15:01:01.79", "26-FEB-1987 15:01:01", "3-mar-1987 09:05:07.1", "31-APR-1987 10:00:00.00",
    "26-FEB-1987 25:01:01.79", "26-FOO-1987 15:01:01", "1-Dec-1987 00:00:00.000001",
]


@pytest.mark.parametrize("text", COMMON_FORMS)
def test_the_common_forms_are_read_as_dateutil_reads_them(text):
    """dates._parse_common, the fast path for ISO dates and Reuters' stamps, answers what dateutil answers
    (or leaves the text to it): the same datetime, the same time of day given or not."""
    from dateutil import parser as dateutil_parser

    from search.ingest import dates

    for hour in (0, 1):
        try:
            expected = dateutil_parser.parse(text, default=datetime(2000, 1, 1, hour))
        except (ValueError, OverflowError):
            expected = None
        fast = dates._parse_common(text, hour)
        assert fast is None or (fast == expected and fast.tzinfo is None and expected.tzinfo is None), (text, hour)
        if expected is not None and expected.tzinfo is None and 1000 <= expected.year:
            assert fast == expected, (text, hour)  # every such form is taken by the fast path

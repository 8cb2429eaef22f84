"""Dates read from text: the spellings archives and exports use, and the ISO days the store, app and CLI pass on."""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parsedate_to_datetime

_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%Y%m%d")


def parse_date(value: object) -> date | None:
    """A date from the common export spellings (ISO, YYYY/MM/DD, 'March 4, 2023', RFC 2822); None if unsure.

    >>> parse_date("March 4, 2023"), parse_date("2023/03/04"), parse_date("yesterday")
    (datetime.date(2023, 3, 4), datetime.date(2023, 3, 4), None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    iso = text.replace("/", "-")
    for candidate in (iso, iso[:10]):
        try:
            return datetime.fromisoformat(candidate.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def iso_day(value: object) -> date:
    """The day an ISO date or timestamp opens with (a stored date, a date box, `--as-of`); ValueError if none.

    >>> iso_day("2024-03-31"), iso_day(" 2024-03-31T08:30:00+02:00")
    (datetime.date(2024, 3, 31), datetime.date(2024, 3, 31))
    """
    return date.fromisoformat(str(value).strip()[:10])

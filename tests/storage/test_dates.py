"""Dates read from text: the export spellings ingest accepts, and the ISO day the app, CLI and store use."""

from __future__ import annotations

from datetime import date

import pytest

from storage.dates import iso_day, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022/01/01", date(2022, 1, 1)),
        ("2023-03-14", date(2023, 3, 14)),
        ("2023-03-14T10:00:00Z", date(2023, 3, 14)),
        ("2023-03-14T23:30:00.123+01:00", date(2023, 3, 14)),
        ("March 14, 2023", date(2023, 3, 14)),
        ("Mar 14, 2023", date(2023, 3, 14)),
        ("14 March 2023", date(2023, 3, 14)),
        ("20230314", date(2023, 3, 14)),
        ("Tue, 14 Mar 2023 10:00:00 +0000", date(2023, 3, 14)),
        (date(2020, 2, 29), date(2020, 2, 29)),
        ("", None),
        (None, None),
        ("yesterday", None),
        ("2023-02-30", None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_iso_day_reads_the_day_an_iso_date_or_timestamp_opens_with() -> None:
    assert iso_day("2024-03-31") == iso_day(" 2024-03-31 00:00:00") == iso_day("2024-03-31T23:30:00+02:00")
    assert iso_day("2024-03-31") == date(2024, 3, 31)
    for not_iso in ("31 March 2024", "2024/03/31", "2024-02-30", "soon", ""):
        with pytest.raises(ValueError):
            iso_day(not_iso)

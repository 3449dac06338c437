"""One way to write dates and times in every language (issue 17): Django's per-language formats are replaced."""

import datetime as dt

import pytest
from django.utils import formats, translation


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_named_format_writes_year_month_day_and_a_24_hour_clock(language):
    moment = dt.datetime(2026, 3, 5, 14, 7)
    with translation.override(language):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026-03-05 14:07"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2026-03-05 14:07"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "2026-03-05"
        assert formats.date_format(moment, "DATE_FORMAT") == "2026-03-05"
        assert formats.time_format(moment, "TIME_FORMAT") == "14:07"

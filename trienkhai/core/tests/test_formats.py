import datetime as dt

from django import forms
from django.utils import formats, translation


def test_vietnamese_dates_are_day_first_in_and_out():
    with translation.override("vi"):
        field = forms.DateField()
        assert field.clean("03/04/2026") == dt.date(2026, 4, 3)
        assert formats.date_format(dt.date(2026, 4, 3), "SHORT_DATE_FORMAT") == "03/04/2026"


def test_vietnamese_numbers_use_dot_thousands_and_comma_decimals():
    with translation.override("vi"):
        assert formats.number_format(1234567.5, 1, force_grouping=True) == "1.234.567,5"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1

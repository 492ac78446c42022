"""The API's JSON renderer writes exactly what DRF's would."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from trienkhai.api.renderers import JSONRenderer

SAMPLES = [
    {"title": "Nghị quyết số 52-NQ/TW", "n": 3, "ok": True, "none": None, "pi": 3.25},
    {"when": dt.datetime(2020, 6, 3, 8, 30, 15, 123456, tzinfo=dt.UTC)},
    {"when": dt.datetime(2020, 6, 3, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))},
    {"day": dt.date(2020, 6, 30), "at": dt.time(7, 0), "span": dt.timedelta(days=2)},
    {"amount": decimal.Decimal("12.50"), "id": uuid.UUID(int=5)},
    {"label": gettext_lazy("Overdue")},
    {"text": "dòng một\u2028dòng hai\u2029hết"},
    ReturnList([ReturnDict({"a": 1}, serializer=None)], serializer=None),
    [1, [2, [3, {"x": "ẩ"}]]],
    {"big": 2**70},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_same_bytes_as_drf(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_indented_output_is_drf_s():
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert JSONRenderer().render(data, media) == DRFJSONRenderer().render(data, media)
    assert b"\n" in JSONRenderer().render(data, media)


def test_nothing_renders_as_nothing():
    assert JSONRenderer().render(None) == b""


def test_a_nan_is_written_as_null_rather_than_failing_the_request():
    # DRF's strict encoder raises (a 500); orjson writes null, which a client can read
    with pytest.raises(ValueError):
        DRFJSONRenderer().render({"x": float("nan")})
    assert JSONRenderer().render({"x": float("nan"), "y": float("inf")}) == b'{"x":null,"y":null}'

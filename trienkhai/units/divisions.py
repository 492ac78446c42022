"""Vietnam's administrative divisions (34 provinces, 3,321 communes since 1 July 2025).

The data comes from the ``vietnam-provinces`` package (official codes of the General
Statistics Office). Unit codes built from it:

* ``P`` + the 2-digit province code: ``P79`` is the People's Committee of Hồ Chí Minh City;
* ``W`` + the 5-digit commune code: ``W26743`` is the People's Committee of Bến Thành ward;
* ``VN`` is the root "Việt Nam" node that holds the provinces by default.

Names are normalized for whitespace (the package has a few double spaces).
"""

from __future__ import annotations

from functools import cache

from vietnam_provinces import Province, Ward

from trienkhai.vntext.text import normalize_space

ROOT_CODE = "VN"
ROOT_NAME = "Việt Nam"


def province_unit_code(code: int | str) -> str:
    return f"P{int(code):02d}"


def ward_unit_code(code: int | str) -> str:
    return f"W{int(code):05d}"


def _int(code: object) -> int:
    return int(getattr(code, "value", code))  # type: ignore[call-overload]


@cache
def provinces() -> tuple[tuple[str, str, str], ...]:
    """(2-digit code, name, division type) of every province, in code order."""
    rows = [
        (f"{_int(p.code):02d}", normalize_space(p.name), p.division_type.value)
        for p in Province.iter_all()
    ]
    return tuple(sorted(rows))


@cache
def _wards_by_province() -> dict[int, tuple[tuple[str, str, str], ...]]:
    grouped: dict[int, list[tuple[str, str, str]]] = {}
    for w in Ward.iter_all():
        grouped.setdefault(_int(w.province_code), []).append(
            (f"{_int(w.code):05d}", normalize_space(w.name), w.division_type.value)
        )
    return {k: tuple(sorted(v)) for k, v in grouped.items()}


def divisions_for_province(code: int | str) -> list[tuple[str, str, str]]:
    """Communes of a province as (5-digit code, name, division type), in code order.

    ``divisions_for_province(79)`` gives the 168 wards, communes and the special zone of
    Hồ Chí Minh City, e.g. ``("26743", "Phường Bến Thành", "phường")``.
    """
    return list(_wards_by_province().get(int(code), ()))


def _lower_type(name: str, division_type: str) -> str:
    """'Phường Bến Thành' → 'phường Bến Thành', 'Cao Bằng' (tỉnh) → 'tỉnh Cao Bằng'."""
    if division_type == "thành phố trung ương":
        return name
    prefix = division_type[0].upper() + division_type[1:]
    if name.startswith(prefix + " "):
        return division_type + name[len(prefix) :]
    return f"{division_type} {name}"


def peoples_committee_name(name: str, division_type: str) -> tuple[str, str]:
    """Name and short name of the People's Committee of a division."""
    place = _lower_type(normalize_space(name), division_type)
    return f"Ủy ban nhân dân {place}", f"UBND {place}"

"""Timing of ``read()`` on a directive of about ten pages."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

from . import read

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vntext" / "dev"


def ten_page_text(chars: int = 30_000) -> str:
    """About ``chars`` characters of administrative text (dev texts, or a generated one)."""
    parts: list[str] = []
    files = sorted(DEV.glob("*.txt")) if DEV.is_dir() else []
    if files:
        while sum(map(len, parts)) < chars:
            for f in files:
                parts.append(f.read_text(encoding="utf-8").split("\n", 2)[-1])
    else:
        item = (
            "{n}. UBND các phường, xã, đặc khu rà soát toàn bộ trụ sở, cơ sở nhà, đất đang quản "
            "lý; lập danh mục cơ sở dôi dư, gửi Sở Tài chính trước ngày 20/11/2025. Sở Tài chính "
            "chủ trì, phối hợp với Sở Xây dựng tổng hợp, đề xuất phương án xử lý "
            "trong quý II/2026; "
            "báo cáo kết quả thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 định kỳ hằng quý.\n\n"
        )
        n = 1
        while sum(map(len, parts)) < chars:
            parts.append(item.format(n=n))
            n += 1
    return "\n\n".join(parts)[:chars]


def bench_10_pages_ms(runs: int = 7) -> float:
    """Median milliseconds of ``read()`` over ``runs`` runs on a ~30,000-character text."""
    text = ten_page_text()
    ref = dt.date(2025, 11, 10)
    read(text, ref)  # warm caches (holidays, compiled patterns)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        read(text, ref)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    print(f"read() on ~10 pages: {bench_10_pages_ms():.1f} ms")

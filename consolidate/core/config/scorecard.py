"""The ``[scorecard]`` section: the weights of the score components, late credit, bands A–E.

The bands must cover 0 to 100 with no gap and no overlap; each check names the band and
the fix. The scores themselves are computed in :mod:`consolidate.reports.scorecard`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from consolidate.core.config.checks import bad, number
from consolidate.core.text import nfc


@dataclass(frozen=True)
class Band:
    """One band of the scorecard: scores in [low, high) (the top band includes 100)."""

    name: str
    low: float
    high: float
    label: str = ""


#: What each score component measures (the key in ``[scorecard.weights]``), in Vietnamese.
SCORE_COMPONENTS: dict[str, str] = {
    "reporting": "Báo cáo đúng hạn",
    "tasks": "Hoàn thành nhiệm vụ đúng hạn",
    "six_clear": "Ghi đủ 06 rõ",
    "disbursement": "Giải ngân theo tiến độ (chủ đầu tư)",
}

DEFAULT_BANDS: tuple[Band, ...] = (
    Band("A", 90.0, 100.0, "Tốt"),
    Band("B", 75.0, 90.0, "Khá"),
    Band("C", 60.0, 75.0, "Trung bình"),
    Band("D", 40.0, 60.0, "Yếu"),
    Band("E", 0.0, 40.0, "Kém"),
)


@dataclass(frozen=True)
class Scorecard:
    """Weights of the score components, the credit of a late report, the bands A–E."""

    weights: tuple[tuple[str, float], ...] = (
        ("reporting", 40.0),
        ("tasks", 30.0),
        ("six_clear", 15.0),
        ("disbursement", 15.0),
    )
    late_credit: float = 0.5
    bands: tuple[Band, ...] = DEFAULT_BANDS

    def band_of(self, score: float) -> Band:
        for band in self.bands:
            if band.low <= score < band.high or (band.high >= 100.0 and score >= band.high):
                return band
        return min(self.bands, key=lambda b: b.low)


def parse_bands(raw: Any) -> tuple[Band, ...]:
    """The ``[[scorecard.bands]]`` tables: contiguous from 0 to 100, no gap, no overlap."""
    key = "scorecard.bands"
    if not isinstance(raw, list) or not raw:
        raise bad(key, "chưa khai báo mức xếp loại nào", "Khai báo các bảng [[scorecard.bands]].")
    bands: list[Band] = []
    for i, item in enumerate(raw, start=1):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise bad(where, "không phải bảng", "Mỗi mức là một bảng [[scorecard.bands]].")
        name = item.get("band")
        if not isinstance(name, str) or not name.strip():
            raise bad(f"{where}.band", "thiếu tên mức", 'Ghi band = "A".')
        low = number(f"{where}.from", item.get("from"))
        high = number(f"{where}.to", item.get("to"))
        if not 0 <= low < high <= 100:
            raise bad(
                where,
                f"khoảng điểm từ {low:g} đến {high:g} không hợp lệ",
                "Ghi 0 ≤ from < to ≤ 100.",
            )
        label = item.get("label", "")
        if not isinstance(label, str):
            raise bad(f"{where}.label", "không phải chuỗi", 'Ghi label = "Tốt".')
        bands.append(Band(nfc(name.strip()), low, high, nfc(label)))
    names = [b.name for b in bands]
    if len(set(names)) != len(names):
        raise bad(key, "tên mức bị trùng", "Mỗi mức một tên riêng (A, B, C, D, E).")
    ordered = sorted(bands, key=lambda b: b.low)
    if ordered[0].low != 0:
        raise bad(
            key,
            f"thang điểm bị hở từ 0 đến {ordered[0].low:g}",
            "Mức thấp nhất phải bắt đầu từ 0 (from = 0).",
        )
    for prev, nxt in itertools.pairwise(ordered):
        if nxt.low > prev.high:
            raise bad(
                key,
                f"thang điểm bị hở từ {prev.high:g} đến {nxt.low:g} (giữa mức {prev.name} và "
                f"{nxt.name})",
                f"Ghi from của mức {nxt.name} bằng to của mức {prev.name}.",
            )
        if nxt.low < prev.high:
            raise bad(
                key,
                f"mức {prev.name} ({prev.low:g}–{prev.high:g}) và mức {nxt.name} "
                f"({nxt.low:g}–{nxt.high:g}) chồng lên nhau",
                f"Ghi from của mức {nxt.name} bằng to của mức {prev.name}.",
            )
    if ordered[-1].high != 100:
        raise bad(
            key,
            f"thang điểm bị hở từ {ordered[-1].high:g} đến 100",
            "Mức cao nhất phải kết thúc ở 100 (to = 100).",
        )
    return tuple(sorted(bands, key=lambda b: -b.low))


def parse_scorecard(raw: dict[str, Any]) -> Scorecard:
    """The ``[scorecard]`` table; a missing key keeps the default."""
    weights_raw = raw.get("weights", {})
    if not isinstance(weights_raw, dict):
        raise bad("scorecard.weights", "không phải bảng", "Khai báo dạng [scorecard.weights].")
    default = dict(Scorecard().weights)
    unknown = set(weights_raw) - set(SCORE_COMPONENTS)
    if unknown:
        raise bad(
            f"scorecard.weights.{sorted(unknown)[0]}",
            "không phải thành phần điểm",
            f"Chọn trong: {', '.join(SCORE_COMPONENTS)}.",
        )
    weights = []
    for name in SCORE_COMPONENTS:
        value = number(f"scorecard.weights.{name}", weights_raw.get(name, default[name]))
        if value < 0:
            raise bad(f"scorecard.weights.{name}", f"{value:g} là số âm", "Ghi trọng số ≥ 0.")
        weights.append((name, value))
    if sum(w for _, w in weights) <= 0:
        raise bad("scorecard.weights", "tổng trọng số bằng 0", "Ghi ít nhất một trọng số > 0.")
    late = number("scorecard.late_credit", raw.get("late_credit", 0.5))
    if not 0 <= late <= 1:
        raise bad("scorecard.late_credit", f"{late:g} ngoài khoảng 0–1", "Ghi số từ 0 đến 1.")
    bands = parse_bands(raw["bands"]) if "bands" in raw else DEFAULT_BANDS
    return Scorecard(weights=tuple(weights), late_credit=late, bands=bands)

"""The indicators (``Chỉ tiêu``) the units report, against the year's targets.

Each unit's newest accepted submission carrying rows of the ``Chỉ tiêu`` sheet, received up
to the end of the as-of day and dated (``Ngày báo cáo``) in the as-of year, counts: its rows
are cumulative ("Kết quả lũy kế"), so the newest snapshot is the unit's figure (principle 4:
snapshots, not deltas).

Rows are grouped by indicator code (``Mã chỉ tiêu``; without a code, by the name ignoring
accents, case and punctuation). Per indicator: the unit of measure, each unit's target,
achieved and rate, and a total — the sum over units, or the average when the unit of
measure is a percentage (rates are not added). When the units write different units of
measure (``hồ sơ`` and ``%``, ``người`` and ``lượt``) the indicator is flagged and no total
is computed: adding them would be wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd

from consolidate.core.config import Config
from consolidate.core.text import loose_key, nfc
from consolidate.store.db import Store, utc_iso

SUM = "sum"
MEAN = "mean"
#: Units of measure whose figures are rates: the total is the average, never the sum.
PERCENT_UNITS = frozenset({"%", "tỷ lệ", "tỷ lệ %", "tỷ lệ (%)", "phần trăm", "(%)"})

#: Columns of the indicators export, in order (stable keys, see docs/exports.md).
INDICATOR_KEYS: tuple[str, ...] = (
    "indicator_key",
    "indicator_code",
    "indicator",
    "row",
    "unit_code",
    "unit_name",
    "unit_of_measure",
    "target",
    "achieved",
    "rate_pct",
    "consistent_unit_of_measure",
    "aggregation",
    "report_date",
)


#: Each unit's newest arrival with indicator rows dated in ``[:first, :next)`` and received
#: before ``:horizon``.
INDICATORS_SQL = (
    "SELECT unit_code, submission_id, as_of FROM (SELECT unit_code, submission_id, "
    "as_of, row_number() OVER (PARTITION BY unit_code ORDER BY at DESC, as_of DESC, "
    "submission_id DESC) AS rn FROM submission_arrivals "
    "WHERE as_of >= :first AND as_of < :next AND at < :horizon AND n_indicators > 0) "
    "WHERE rn = 1 ORDER BY unit_code"
)


def _uom_key(text: object) -> str:
    return re.sub(r"\s+", " ", nfc(str(text or "")).strip().casefold())


@dataclass
class Indicators:
    as_of: date
    rows: pd.DataFrame  # one row per (indicator, unit), sorted
    totals: pd.DataFrame  # one row per indicator
    n_units: int

    def records(self) -> list[dict[str, Any]]:
        """CSV rows: per indicator its total row (``row`` = ``total``), then its units."""
        out: list[dict[str, Any]] = []
        by_key = {k: g for k, g in self.rows.groupby("indicator_key", sort=False)}
        for t in self.totals.to_dict("records"):
            out.append(
                {
                    "indicator_key": t["indicator_key"],
                    "indicator_code": t["indicator_code"],
                    "indicator": t["indicator"],
                    "row": "total",
                    "unit_code": None,
                    "unit_name": None,
                    "unit_of_measure": t["unit_of_measure"],
                    "target": t["target"],
                    "achieved": t["achieved"],
                    "rate_pct": t["rate_pct"],
                    "consistent_unit_of_measure": t["consistent"],
                    "aggregation": t["aggregation"],
                    "report_date": None,
                }
            )
            for r in by_key[t["indicator_key"]].to_dict("records"):
                out.append(
                    {
                        "indicator_key": t["indicator_key"],
                        "indicator_code": t["indicator_code"],
                        "indicator": r["indicator"],
                        "row": "unit",
                        "unit_code": r["unit_code"],
                        "unit_name": r["unit_name"],
                        "unit_of_measure": r["unit_of_measure"],
                        "target": r["target"],
                        "achieved": r["achieved"],
                        "rate_pct": r["rate_pct"],
                        "consistent_unit_of_measure": t["consistent"],
                        "aggregation": t["aggregation"],
                        "report_date": r["report_date"],
                    }
                )
        return [{k: _plain(v) for k, v in rec.items()} for rec in out]

    def to_dict(self) -> dict[str, Any]:
        units = {k: g for k, g in self.rows.groupby("indicator_key", sort=False)}
        indicators = []
        for t in self.totals.to_dict("records"):
            indicators.append(
                {
                    "key": t["indicator_key"],
                    "code": _plain(t["indicator_code"]),
                    "name": t["indicator"],
                    "units_of_measure": t["units_of_measure"],
                    "unit_of_measure": _plain(t["unit_of_measure"]),
                    "consistent_unit_of_measure": bool(t["consistent"]),
                    "aggregation": _plain(t["aggregation"]),
                    "target": _plain(t["target"]),
                    "achieved": _plain(t["achieved"]),
                    "rate_pct": _plain(t["rate_pct"]),
                    "units": [
                        {
                            "code": r["unit_code"],
                            "name": r["unit_name"],
                            "unit_of_measure": r["unit_of_measure"],
                            "target": _plain(r["target"]),
                            "achieved": _plain(r["achieved"]),
                            "rate_pct": _plain(r["rate_pct"]),
                            "report_date": r["report_date"],
                        }
                        for r in units[t["indicator_key"]].to_dict("records")
                    ],
                }
            )
        return {"as_of": self.as_of.isoformat(), "n_units": self.n_units,
                "indicators": indicators}  # fmt: skip

    @property
    def n_flagged(self) -> int:
        return int((~self.totals["consistent"]).sum()) if len(self.totals) else 0


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def indicators(config: Config, store: Store, as_of: date) -> Indicators:
    """The indicators as of the end of ``as_of`` (each unit's newest accepted snapshot)."""
    tz = config.calendar.tz
    horizon = datetime.combine(as_of + timedelta(days=1), time(0, 0), tzinfo=tz)
    # each unit's newest file of the year with indicator rows, up to the as-of day: the
    # year's arrivals with indicator rows only (a range of their index on the report date),
    # newest per unit by SQL's window function
    chosen = pd.read_sql_query(
        INDICATORS_SQL,
        store.db,
        params={
            "first": f"{as_of.year:04d}-01-01",
            "next": f"{as_of.year + 1:04d}-01-01",
            "horizon": utc_iso(horizon),
        },
    )
    rows = pd.read_sql_query(
        "SELECT submission_id, row, indicator_code, indicator, unit_of_measure, target, "
        "achieved FROM indicators WHERE submission_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY submission_id, row",
        store.db,
        params=(json.dumps([int(s) for s in chosen["submission_id"]]),),
    )
    rows = rows.merge(chosen, on="submission_id", how="inner").rename(
        columns={"as_of": "report_date"}
    )
    names = {u.code: u.name for u in config.units}
    order = {u.code: i for i, u in enumerate(config.units)}
    code = rows["indicator_code"].fillna("").astype(str).str.strip().str.upper()
    by_name = rows["indicator"].fillna("").astype(str).map(loose_key)
    rows["indicator_key"] = code.where(code != "", "~" + by_name)
    rows["indicator_code"] = code.where(code != "", None)
    rows["unit_of_measure"] = rows["unit_of_measure"].fillna("").astype(str).str.strip()
    rows["uom"] = rows["unit_of_measure"].map(_uom_key)
    rows["unit_name"] = rows["unit_code"].map(lambda c: names.get(c, c))
    rows["_order"] = rows["unit_code"].map(lambda c: order.get(c, len(order)))
    rows["rate_pct"] = (100.0 * rows["achieved"] / rows["target"].where(rows["target"] > 0)).round(
        1
    )
    rows = rows.sort_values(["indicator_key", "_order", "unit_code", "row"], kind="stable")

    grouped = rows.groupby("indicator_key", sort=True)
    totals = grouped.agg(
        indicator_code=("indicator_code", "first"),
        indicator=("indicator", lambda s: s.mode().iloc[0] if len(s.mode()) else s.iloc[0]),
        n_uom=("uom", "nunique"),
        uom=("uom", "first"),
        unit_of_measure=("unit_of_measure", "first"),
        target_sum=("target", "sum"),
        achieved_sum=("achieved", "sum"),
        target_mean=("target", "mean"),
        achieved_mean=("achieved", "mean"),
        n_units=("unit_code", "nunique"),
    ).reset_index()
    totals["units_of_measure"] = [
        sorted(set(g["unit_of_measure"])) for _, g in grouped
    ]  # same (sorted) order as the aggregate
    totals["consistent"] = totals["n_uom"] <= 1
    percent = totals["uom"].isin(PERCENT_UNITS)
    totals["aggregation"] = [
        (MEAN if pct else SUM) if ok else None
        for pct, ok in zip(percent, totals["consistent"], strict=True)
    ]
    totals["target"] = totals["target_sum"].where(~percent, totals["target_mean"])
    totals["achieved"] = totals["achieved_sum"].where(~percent, totals["achieved_mean"])
    totals.loc[~totals["consistent"], ["target", "achieved", "unit_of_measure"]] = None
    target = totals["target"].astype("float64")
    totals["rate_pct"] = (
        100.0 * totals["achieved"].astype("float64") / target.where(target > 0)
    ).round(1)
    totals[["target", "achieved"]] = totals[["target", "achieved"]].astype("float64").round(3)
    keep = ["indicator_key", "indicator_code", "indicator", "unit_of_measure", "units_of_measure",
            "consistent", "aggregation", "target", "achieved", "rate_pct", "n_units"]  # fmt: skip
    return Indicators(
        as_of=as_of,
        rows=rows.drop(columns=["_order", "uom"]).reset_index(drop=True),
        totals=totals[keep],
        n_units=int(chosen["unit_code"].nunique()),
    )

"""The column specification: the one place that declares what a unit reports.

Template generation, reading, pandera validation, storage and rendering are all driven
from :data:`schemas.columns.SHEETS`. Adding a column is a one-place change here.
:mod:`schemas.reports` adds the columns the office's reports derive (status, rate, source
file...) and lays out the detail sheets; reports choose their columns by key.
"""

from schemas.columns import (
    COVER,
    COVER_SHEET,
    GUIDE_SHEET,
    INDICATORS,
    PROJECTS,
    REGISTER,
    SHEETS,
    TASKS,
    TEMPLATE_VERSION,
    Column,
    CoverField,
    Kind,
    SheetSpec,
    sheet_by_key,
)

__all__ = [
    "COVER",
    "COVER_SHEET",
    "GUIDE_SHEET",
    "INDICATORS",
    "PROJECTS",
    "REGISTER",
    "SHEETS",
    "TASKS",
    "TEMPLATE_VERSION",
    "Column",
    "CoverField",
    "Kind",
    "SheetSpec",
    "sheet_by_key",
]

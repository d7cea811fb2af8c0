"""consolidate: the standard Excel report of every unit in, the leaders' reports out.

Collects the "khung báo cáo chung" from the province's departments, communes and wards and
builds the consolidated weekly, twice-monthly and plan workbooks and Word reports. The
package layout is described in docs/architecture.md."""

__version__ = "0.1.0"

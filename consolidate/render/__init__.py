"""Workbooks people read: the unit template and the leaders' reports (xlsxwriter)."""

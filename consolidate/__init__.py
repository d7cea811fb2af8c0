"""consolidate: collect the standard Excel report of Đắk Lắk units and build the
consolidated weekly and twice-monthly workbooks for the provincial leaders."""

__version__ = "0.1.0"

"""Spreadsheet intake and export: fill-in templates (template.py), import of
filled workbooks and CSV with cell-precise problems (workbook.py reads,
intake.py validates and writes), and tables for reporting upward (export.py).
layout.py declares, once, which field sits under which printed label."""

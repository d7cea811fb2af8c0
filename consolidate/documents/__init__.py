"""Official Word documents in the format of Decree 30/2020/NĐ-CP (python-docx).

:mod:`.nd30` is the layout kit (page, fonts, national heading, signature, appendices);
:mod:`.reports` writes the weekly, projects and plan reports from the same data objects the
workbooks are written from; :mod:`.dondoc` writes the đôn đốc letter to lagging units.
"""

"""From a file that arrives to a verdict: container checks, reading, validation, storing, feedback.

One file, in order:

* :mod:`.container` — what is not an xlsx, hostile zips (``container-*`` findings);
* :mod:`.reader` (with :mod:`.fastread` and :mod:`.cells`) — sheets of typed cell values;
* validation, all findings at once, never stopping early (:mod:`.checked` holds what the
  layers share):

  1. :mod:`.layout` — sheets, header rows, columns, merged/hidden cells, the cover sheet;
  2. :mod:`.coerce` — cell values typed as people type them;
  3. :mod:`.schema` — pandera over a batch of files: required cells, lists, ranges;
  4. :mod:`.rules` — business rules (a unit speaks only for itself, 06 rõ, states...);

* :mod:`.rows` — the rows the store keeps; :mod:`.ingest` runs it all for a batch;
  :mod:`.feedback` writes the unit's feedback workbook; :mod:`.watch` and
  :mod:`.register` use the same stages.
"""

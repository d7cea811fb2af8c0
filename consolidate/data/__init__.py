"""Packaged data: ``default_config.toml`` (what ``init`` writes) and the default unit list.

``units.csv`` holds the province's communes, wards and agencies; ``units-SOURCE.md`` says
where it comes from (``scripts/build_unit_list.py`` rebuilds it).
"""

"""The figures of each report, from the store: derived status, snapshot selection, tallies."""

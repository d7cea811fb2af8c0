"""The embedded SQLite store: submissions, their rows, the register and the ledger."""

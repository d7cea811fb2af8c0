"""Shared ground of every stage: errors, findings and their codes, configuration, text, files."""

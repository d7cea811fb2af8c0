"""From a file that arrives to a verdict: container checks, reading, validation, storing, feedback."""

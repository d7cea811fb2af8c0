"""``python -m consolidate``: the same command line as the ``consolidate`` command."""

from consolidate.cli import main

if __name__ == "__main__":
    main()

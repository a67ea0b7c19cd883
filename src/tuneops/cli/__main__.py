"""Run the CLI as `python -m tuneops.cli`."""

from tuneops.cli import main

main()

"""`python -m qdeck` runs the CLI."""

from qdeck.cli import main

main()

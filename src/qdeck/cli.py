"""The `qdeck` command: a thin click shell over the library; errors become one clean line."""

from __future__ import annotations

import sys

import click

from qdeck import pipeline, summary
from qdeck.config import load_recipe
from qdeck.errors import QdeckError

recipe_argument = click.argument("recipe", required=False, type=click.Path(dir_okay=False))


@click.group()
@click.version_option(package_name="qdeck")
def cli() -> None:
    """Turn lists of interview questions into one clean Anki deck."""


@cli.command()
@recipe_argument
@click.option("--skipped", is_flag=True, help="List every skipped line with its line number.")
def sources(recipe: str | None, skipped: bool) -> None:
    """One row per source: questions, answers, follow-ups, skipped lines, warnings."""
    cat = pipeline.read_catalog(load_recipe(recipe))
    click.echo(summary.sources_table(cat.sources))
    for warning in summary.warnings(cat.sources):
        click.echo(f"warning: {warning}")
    if skipped:
        click.echo(summary.skipped_lines(cat.sources))


@cli.command()
@recipe_argument
@click.option("--source", "source_name", help="Only this source.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
def questions(recipe: str | None, source_name: str | None, fmt: str) -> None:
    """The question catalog."""
    cat = pipeline.read_catalog(load_recipe(recipe))
    known = [r.spec.name for r in cat.sources]
    if source_name is not None and source_name not in known:
        raise QdeckError(f"unknown source {source_name!r}; this recipe has: {', '.join(known)}")
    chosen = [q for q in cat.questions if source_name in (None, q.source)]
    if chosen:
        click.echo(summary.questions_jsonl(chosen) if fmt == "jsonl" else summary.questions_table(chosen))


@cli.command()
@recipe_argument
def build(recipe: str | None) -> None:
    """Build the deck (for now: ingest, normalize and print the catalog summary)."""
    cat = pipeline.read_catalog(load_recipe(recipe))
    click.echo(summary.sources_table(cat.sources))


def main() -> None:
    """Entry point: the one place a QdeckError becomes a message and exit code 2."""
    try:
        code = cli.main(standalone_mode=False)
    except QdeckError as err:
        click.echo(f"qdeck: error: {err}", err=True)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    sys.exit(code if isinstance(code, int) else 0)

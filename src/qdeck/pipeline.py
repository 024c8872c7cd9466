"""Run the stages in order, each a function from the build so far to the build with its part added.

    recipe ─read─▶ catalog, lock, overrides ─follow─▶ where each released question went
           ─group─▶ notes, tagged ─assign─▶ notes with GUIDs, new lock ─export─▶ packages
           ─record─▶ lock, catalog, merge report

`STAGES` below is that list, and `build` runs it in a loop. `read_catalog`, `build_notes` and
`identify` are the same steps for callers that want only part of a build (review, bench, tests).
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from qdeck.config import Recipe
from qdeck.config.editorial import Editorial, load_editorial
from qdeck.dedupe import LastRelease, Overrides, Vocabulary, dedupe
from qdeck.editorial import attach, editorial_notices
from qdeck.errors import InputError
from qdeck.ingest import SourceResult, ingest
from qdeck.models import Note, Parsed, Question
from qdeck.normalize import normalize
from qdeck.settings import Runtime
from qdeck.stamp import BuildResult, current, inputs_digest, report_paths, store_stamp

if TYPE_CHECKING:
    from qdeck.anki import Renderer
    from qdeck.identity import Alignment, IdentityReport, Lock

PLAIN = Runtime()  # no cache, one process, nobody watching


@dataclass(frozen=True)
class Catalog:
    """The ingested, normalized questions of a recipe, with per-source parse results."""

    recipe: Recipe
    sources: tuple[SourceResult, ...]
    questions: tuple[Question, ...]


def read_catalog(recipe: Recipe, rt: Runtime = PLAIN) -> Catalog:
    """Ingest and normalize every source of a recipe, reusing the cached result of an unchanged source."""
    cache = rt.cache
    results = ingest(recipe.sources, cache, rt.pool)
    done: list[list[Question] | None] = []
    for result in results:
        cached = cache.load_parsed(f"{result.cache_key}-normalized") if result.cache_key else None
        done.append(None if cached is None else list(cached.questions))
    # One normalize call for every source that needs it, so a large one spreads over the cores.
    todo = [result for result, questions in zip(results, done) if questions is None]
    fixed = iter(normalize([q for result in todo for q in result.questions], rt.pool))
    for n, result in enumerate(results):
        if done[n] is None:
            done[n] = [next(fixed) for _ in result.questions]
            if result.cache_key:
                cache.store_parsed(f"{result.cache_key}-normalized", Parsed(questions=tuple(done[n])))
    return Catalog(recipe, tuple(results), tuple(q for questions in done for q in questions or ()))


def load_overrides(cat: Catalog) -> tuple[Overrides, list[str]]:
    """The maintainers' overrides with the reviewed judgments (data/judgments.yaml) folded in,
    and a line for each judgment that moved with its questions or no longer applies."""
    from qdeck.review import store

    known = {q.ref for q in cat.questions}
    checked = cat.recipe.overrides_data
    overrides = checked.build(lambda raw: Overrides.from_shape(raw, known)) if checked is not None else Overrides()
    resolved = store.resolve(store.load(cat.recipe.data_dir / store.FILE_NAME), cat.questions)
    return store.apply(overrides, resolved), store.notices(resolved) + store.conflicts(resolved)


def build_notes(cat: Catalog, *, tag: bool = True, embeddings: bool = False,
                overrides: Overrides | None = None, previous: LastRelease | None = None,
                rt: Runtime = PLAIN) -> list[Note]:
    """Dedupe (and tag) a catalog into notes, applying the maintainers' overrides and judgments.

    `embeddings` adds the optional sentence-embedding signal (`pip install 'qdeck[embed]'`
    and `qdeck model fetch` first). `previous` starts from the last release's notes (see
    `qdeck.identity.last_release`); without it, clustering starts afresh.
    """
    recipe = cat.recipe
    if overrides is None:
        overrides = load_overrides(cat)[0]
    encoder = None
    if embeddings:
        from qdeck.dedupe import load_encoder

        encoder = load_encoder(rt.model_dir)
    if recipe.dedupe_data is None:
        raise InputError("the dedupe vocabulary is missing; dedupe needs it", recipe.data_dir / "dedupe.yaml")
    titles = {spec.name: spec.title for spec in recipe.sources if spec.title}
    notes = dedupe(cat.questions, recipe.dedupe_data.build(Vocabulary.from_shape), overrides, encoder, titles,
                   previous, rt.pool)
    if not tag:
        return notes
    from qdeck.config.taxonomy import taxonomy_from
    from qdeck.tag import tag_notes

    if recipe.taxonomy_data is None:
        raise InputError("data/taxonomy.yaml is missing; tagging needs it", recipe.data_dir)
    by_ref = {q.ref: q for q in cat.questions}
    return tag_notes(
        notes, by_ref, taxonomy_from(recipe.taxonomy_data), root=recipe.tag_root,
        overrides=_tag_overrides(overrides, cat), pool=rt.pool,
    )


def _tag_overrides(overrides: Overrides, cat: Catalog) -> dict[str, dict[str, object]]:
    """Per-ref tier and topics: the maintainers' overrides, then a structured source's own topics."""
    merged: dict[str, dict[str, object]] = {}
    for q in cat.questions:
        if q.topics:
            merged.setdefault(q.ref, {})["topics"] = tuple(q.topics)
    for ref, tier in overrides.tier.items():
        merged.setdefault(ref, {})["tier"] = tier
    for ref, topics in overrides.topics.items():
        merged.setdefault(ref, {})["topics"] = tuple(topics)
    return merged


def package_plan(recipe: Recipe, notes: list[Note]) -> list[tuple[str, list[Note]]]:
    """(file name, notes) per package the recipe asks for; tier packages share the full deck's GUIDs."""
    plan: list[tuple[str, list[Note]]] = []
    tiers = recipe.taxonomy_data.value.tiers if recipe.taxonomy_data is not None else ()  # lowest first
    for package in recipe.packages:
        if package.per == "tier":
            for tier in tiers:
                chosen = [n for n in notes if n.tier == tier]
                if chosen:
                    plan.append((package.name.format(tier=tier), chosen))
        else:
            plan.append((package.name, notes))
    return plan


def previous_package(recipe: Recipe, out_dir: Path = Path("build")) -> Path:
    """Where a build keeps the full package it replaced: the release before it, for `qdeck diff`."""
    return out_dir / f"{recipe.slug}.previous.apkg"



# ------------------------------------------------------------------------------ the build's stages


@dataclass(frozen=True)
class Build:
    """A build in progress: what it was asked, and what each stage has added so far."""

    recipe: Recipe
    out_dir: Path
    check: bool  # write nothing; report whether the lock would change
    now: int
    embeddings: bool
    recluster: bool
    rt: Runtime
    renderer: Renderer
    catalog: Catalog | None = None
    lock: Lock | None = None  # the last release's identity lock
    overrides: Overrides | None = None  # with the reviewed judgments folded in
    editorial: Editorial | None = None
    notices: tuple[str, ...] = ()  # judgments and editorial answers a maintainer should look at
    alignment: Alignment | None = None  # where each released question is in today's sources
    notes: tuple[Note, ...] = ()
    new_lock: Lock | None = None
    report: IdentityReport | None = None
    packages: tuple[Path, ...] = ()
    written: tuple[Path, ...] = ()
    outputs: tuple[tuple[str, Path], ...] = ()  # (what it is, path) of every file the build writes
    previous: Path | None = None  # where the full package this build replaced was kept


def read(b: Build) -> Build:
    """Ingest and normalize the sources; read the lock, the overrides with judgments, the editorial answers."""
    from qdeck.identity import load_lock

    cat = read_catalog(b.recipe, b.rt)
    overrides, notices = load_overrides(cat)
    editorial = load_editorial(b.recipe.editorial) if b.recipe.editorial is not None else None
    return replace(b, catalog=cat, lock=load_lock(b.recipe.lock_path, b.rt.cache), overrides=overrides,
                   editorial=editorial, notices=tuple(notices))


def follow(b: Build) -> Build:
    """Identity, first half: follow every released question to its place in today's sources."""
    from qdeck.identity import follow as follow_questions

    assert b.catalog is not None and b.lock is not None and b.overrides is not None
    return replace(b, alignment=follow_questions(b.lock, b.catalog.questions, same=b.overrides.same,
                                                 fresh=b.overrides.new, overrides_path=b.recipe.overrides))


def group(b: Build) -> Build:
    """Dedupe and tag: one note per question, starting from the last release's notes and tiers."""
    from qdeck.identity import keep_inferred_tiers, last_release

    assert b.catalog is not None and b.lock is not None and b.alignment is not None
    previous = None if b.recluster else last_release(b.lock, b.alignment)
    notes = build_notes(b.catalog, embeddings=b.embeddings, overrides=b.overrides, previous=previous, rt=b.rt)
    if not b.recluster:
        notes = keep_inferred_tiers(notes, b.lock, b.alignment, b.recipe.tag_root)
    return replace(b, notes=tuple(notes))


def assign(b: Build) -> Build:
    """Identity, second half: each note continues the GUIDs of the questions it holds; editorial answers join."""
    from qdeck.identity import assign_identities

    assert b.catalog is not None and b.lock is not None
    recipe = b.recipe
    finish = None if b.editorial is None else attach(b.editorial, recipe.tag_root)
    notes, new_lock, report = assign_identities(list(b.notes), b.lock, namespace=recipe.slug, now=b.now,
                                                root=recipe.tag_root, alignment=b.alignment, finish=finish,
                                                renderer=b.renderer)
    notices = b.notices
    if b.editorial is not None:
        notices += tuple(editorial_notices(b.editorial, notes, (e.guid for e in new_lock.entries),
                                           namespace=recipe.slug, fresh=not b.lock.entries))
    return replace(b, notes=tuple(notes), new_lock=new_lock, report=report, notices=notices)


def export(b: Build) -> Build:
    """Write every package the recipe asks for; keep the full package it replaces for `qdeck diff`."""
    from qdeck.anki import write_apkg
    from qdeck.files import remove_leftovers, write_atomic

    assert b.new_lock is not None
    recipe, out_dir = b.recipe, b.out_dir
    written: list[Path] = []
    packages: list[Path] = []
    outputs: list[tuple[str, Path]] = []
    previous: Path | None = None
    # Written only when the package changes, so a temporary a killed build left for it would wait for that.
    remove_leftovers(previous_package(recipe, out_dir))
    for name, chosen in package_plan(recipe, list(b.notes)):
        path = out_dir / f"{name}.apkg"
        # The full package a build replaces is the release users have now: `qdeck diff` compares with it.
        keep = path == out_dir / f"{recipe.slug}.apkg" and path.is_file()
        old = path.read_bytes() if keep else b""
        if write_apkg(chosen, path, deck_name=recipe.deck, notetype_mod=b.new_lock.notetype.mod,
                      render=b.renderer.fields):
            written.append(path)
            if keep:
                previous = previous_package(recipe, out_dir)
                write_atomic(previous, old, what="package")
        packages.append(path)
        outputs.append((f"package, {len(chosen)} notes", path))
    return replace(b, packages=tuple(packages), written=tuple(written), outputs=tuple(outputs), previous=previous)


def record(b: Build) -> Build:
    """Write the new identity lock, the catalog and the merge report."""
    from qdeck.files import write_atomic
    from qdeck.identity import save_lock
    from qdeck.outputs.catalog import catalog_jsonl
    from qdeck.outputs.report import merge_report_html

    assert b.catalog is not None and b.new_lock is not None
    written = list(b.written)
    if save_lock(b.new_lock, b.recipe.lock_path, cache=b.rt.cache):
        written.append(b.recipe.lock_path)
    catalog_path, report_path = report_paths(b.recipe, b.out_dir)
    by_ref = {q.ref: q for q in b.catalog.questions}
    texts = {catalog_path: catalog_jsonl(b.notes), report_path: merge_report_html(b.recipe.deck, b.notes, by_ref)}
    for path, text in texts.items():
        if write_atomic(path, text.encode("utf-8")):
            written.append(path)
    outputs = (("identity lock", b.recipe.lock_path), ("catalog", catalog_path), ("merge report", report_path))
    return replace(b, written=tuple(written), outputs=b.outputs + outputs)


@dataclass(frozen=True)
class Stage:
    name: str  # what the progress line shows while it runs
    run: Callable[[Build], Build]
    writes: bool = False  # skipped by `build --check`


STAGES = (
    Stage("ingest", read),
    Stage("identity", follow),
    Stage("dedupe and tag", group),
    Stage("identity", assign),
    Stage("export", export, writes=True),
    Stage("lock and reports", record, writes=True),
)


def identify(cat: Catalog, lock: Lock, *, now: int, embeddings: bool = False, overrides: Overrides | None = None,
             recluster: bool = False, editorial: Editorial | None = None,
             rt: Runtime = PLAIN) -> tuple[list[Note], Lock, IdentityReport]:
    """Dedupe, tag and identify a catalog against the last release's lock: the notes to export
    (retired ones included), the new lock and what changed; the middle stages of a build.

    `overrides` as `load_overrides` gives them (loaded when None). Notes start from the last
    release's (sticky clusters, questions and inferred tiers); `recluster` makes them afresh, as a
    change to the matcher or vocabulary may want, while every question still keeps its GUID.
    """
    from qdeck.anki import Renderer

    if overrides is None:
        overrides = load_overrides(cat)[0]
    b = Build(cat.recipe, Path("build"), True, now, embeddings, recluster, rt, Renderer(rt.pool), catalog=cat,
              lock=lock, overrides=overrides, editorial=editorial)
    for stage in (follow, group, assign):
        b = stage(b)
    assert b.new_lock is not None and b.report is not None
    return list(b.notes), b.new_lock, b.report


def build(recipe: Recipe, *, out_dir: Path = Path("build"), check: bool = False, now: int | None = None,
          stage: Callable[[str], None] = lambda name: None, embeddings: bool = False,
          reuse: bool = False, recluster: bool = False, rt: Runtime = PLAIN) -> BuildResult:
    """The main job: every stage, then the packages, the lock, the catalog and the merge report.

    With `reuse`, a build whose inputs and outputs are those of the last build returns at once.
    """
    from qdeck.anki import Renderer

    if check:
        rt = replace(rt, cache=rt.cache.reading_only())
    # Digested before the stages run, so an input edited mid-build is never stamped as built.
    inputs = inputs_digest(recipe, out_dir, embeddings, recluster, rt) if not check and rt.cache.on else ""
    if reuse and inputs:
        last = current(recipe, out_dir, inputs, rt)
        if last is not None:
            return last
    b = Build(recipe, out_dir, check, int(time.time()) if now is None else now, embeddings, recluster, rt,
              Renderer(rt.pool))
    # A build allocates millions of small objects that live until it ends and form no cycles;
    # the cyclic collector would rescan them again and again (10% of a 10k build), so it waits.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for step in STAGES:
            if not (check and step.writes):
                stage(step.name)
                b = step.run(b)
    finally:
        if collecting:
            gc.enable()
    result, again = _result(b)
    if inputs:
        store_stamp(recipe, out_dir, inputs, result, again(), rt)
    return result


def _result(b: Build) -> tuple[BuildResult, Callable[[], str]]:
    """What the build tells and returns; and the story the same build would tell run again."""
    from qdeck.identity import IdentityReport, lock_would_change
    from qdeck.outputs.story import tell

    assert b.catalog is not None and b.lock is not None and b.new_lock is not None and b.report is not None
    cat, notes, new_lock = b.catalog, b.notes, b.new_lock
    names = [r.spec.name for r in cat.sources]
    story = tell(cat.questions, names, list(notes), b.lock, b.report)

    def again() -> str:
        """Every note is then in the lock, unchanged."""
        settled = IdentityReport(unchanged=tuple(n.guid for n in notes))
        return tell(cat.questions, names, list(notes), new_lock, settled).text()

    warnings = tuple(w for source in cat.sources for w in source.parsed.warnings)
    # A build saves the lock only when its bytes change; --check compares without saving.
    changed = lock_would_change(new_lock, b.recipe.lock_path) if b.check else b.recipe.lock_path in b.written
    return BuildResult(
        notes, "\n".join([story.text(), *b.notices]), b.report.counts, changed,
        b.written, b.packages, new_lock.notetype.mod, headline=story.headline(), notices=b.notices,
        warnings=warnings, outputs=b.outputs, previous=b.previous,
    ), again

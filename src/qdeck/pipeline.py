"""Run the stages in order: ingest, normalize, dedupe, tag, identity, export."""

from __future__ import annotations

import contextlib
import gc
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from qdeck import cache, parallel
from qdeck.config import Recipe, load_recipe
from qdeck.config.editorial import Editorial, load_editorial
from qdeck.dedupe import LastRelease, Overrides, Vocabulary, dedupe
from qdeck.editorial import attach, editorial_notices
from qdeck.errors import InputError
from qdeck.ingest import SourceResult, ingest
from qdeck.models import Note, Parsed, Question
from qdeck.normalize import normalize

if TYPE_CHECKING:
    from qdeck.identity import IdentityReport, Lock


@dataclass(frozen=True)
class Catalog:
    """The ingested, normalized questions of a recipe, with per-source parse results."""

    recipe: Recipe
    sources: tuple[SourceResult, ...]
    questions: tuple[Question, ...]


def read_catalog(recipe: Recipe) -> Catalog:
    """Ingest and normalize every source of a recipe, reusing the cached result of an unchanged source."""
    results = ingest(recipe.sources)
    done: list[list[Question] | None] = []
    for result in results:
        cached = cache.load_parsed(f"{result.cache_key}-normalized") if result.cache_key else None
        done.append(None if cached is None else list(cached.questions))
    # One normalize call for every source that needs it, so a large one spreads over the cores.
    todo = [result for result, questions in zip(results, done) if questions is None]
    fixed = iter(normalize([q for result in todo for q in result.questions]))
    for n, result in enumerate(results):
        if done[n] is None:
            done[n] = [next(fixed) for _ in result.questions]
            if result.cache_key:
                cache.store_parsed(f"{result.cache_key}-normalized", Parsed(questions=tuple(done[n])))
    return Catalog(recipe, tuple(results), tuple(q for questions in done for q in questions or ()))


def load_catalog(recipe: str | Path | None = None) -> list[Question]:
    """The normalized question catalog of a recipe (the default recipe when None)."""
    return list(read_catalog(load_recipe(recipe)).questions)


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
                overrides: Overrides | None = None, previous: LastRelease | None = None) -> list[Note]:
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

        encoder = load_encoder()
    if recipe.dedupe_data is None:
        raise InputError("the dedupe vocabulary is missing; dedupe needs it", recipe.data_dir / "dedupe.yaml")
    titles = {spec.name: spec.title for spec in recipe.sources if spec.title}
    notes = dedupe(cat.questions, recipe.dedupe_data.build(Vocabulary.from_shape), overrides, encoder, titles,
                   previous)
    if not tag:
        return notes
    from qdeck.config.taxonomy import taxonomy_from
    from qdeck.tag import tag_notes

    if recipe.taxonomy_data is None:
        raise InputError("data/taxonomy.yaml is missing; tagging needs it", recipe.data_dir)
    by_ref = {q.ref: q for q in cat.questions}
    return tag_notes(
        notes, by_ref, taxonomy_from(recipe.taxonomy_data), root=recipe.tag_root,
        overrides=_tag_overrides(overrides, cat)
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


STAGES = ("ingest", "identity", "dedupe and tag", "identity", "export", "lock and reports")  # identity twice: around dedupe


@dataclass(frozen=True)
class BuildResult:
    """What a build did: its notes, its story (`headline`, `summary`) and the files written (or that would be).

    A rebuild whose inputs and outputs match the last build's stamp runs no stage: `up_to_date`
    is set and `notes` is empty (`headline` and `summary` still describe the deck).
    """

    notes: tuple[Note, ...]
    summary: str
    counts: dict[str, int]
    lock_changed: bool
    written: tuple[Path, ...]
    packages: tuple[Path, ...]
    notetype_mod: int = 0
    headline: str = ""
    up_to_date: bool = False
    notices: tuple[str, ...] = ()  # judgments that moved with their questions or no longer apply (in summary too)
    warnings: tuple[str, ...] = ()  # what the sources' parse found suspect (over-long texts, numbering)
    outputs: tuple[tuple[str, Path], ...] = ()  # (what it is, path) for every file a build writes
    previous: Path | None = None  # where this build kept the full package it replaced


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


def _inputs_digest(recipe: Recipe, out_dir: Path, embeddings: bool, recluster: bool = False) -> str:
    """Everything a build reads but the lock: the recipe, its data folder, source files kept elsewhere."""
    paths = {recipe.path}
    if recipe.data_dir.is_dir():
        paths.update(p for p in recipe.data_dir.rglob("*") if p.is_file())
    for spec in recipe.sources:
        paths.add(spec.file)
        paths.update(v for v in spec.options.values() if isinstance(v, Path))
    return cache.files_digest(sorted(paths), str(out_dir.resolve()), embeddings, recluster)


def _stamp_name(recipe: Recipe, out_dir: Path) -> str:
    return f"{recipe.path.resolve()}\0{out_dir.resolve()}"


def _current(recipe: Recipe, out_dir: Path, inputs: str) -> BuildResult | None:
    """The last build's result when nothing it read or wrote has changed since."""
    stamp = cache.load_stamp(_stamp_name(recipe, out_dir))
    try:
        if stamp is None or stamp["inputs"] != inputs or recipe.lock_path.resolve().as_posix() not in stamp["outputs"]:
            return None
        if any(cache.file_sha256(Path(p)) != digest for p, digest in stamp["outputs"].items()):
            return None
        return BuildResult((), stamp["summary"], dict(stamp["counts"]), False, (),
                           tuple(Path(p) for p in stamp["packages"]), int(stamp["notetype_mod"]),
                           headline=stamp["headline"], up_to_date=True, warnings=tuple(stamp["warnings"]),
                           outputs=tuple((what, Path(p)) for what, p in stamp["files"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a stamp from another version: build


def _store_stamp(recipe: Recipe, out_dir: Path, inputs: str, result: BuildResult, again: str) -> None:
    """Remember the build; `again` is the story the same build tells when run once more."""
    outputs = [*result.packages, recipe.lock_path, *_report_paths(recipe, out_dir)]  # the lock is read too
    cache.store_stamp(_stamp_name(recipe, out_dir), {
        "inputs": inputs,
        "outputs": {p.resolve().as_posix(): cache.file_sha256(p) for p in outputs},
        "summary": "\n".join([again, *result.notices]),
        "counts": {**{k: 0 for k in result.counts}, "unchanged": len(result.notes)},
        "headline": result.headline, "packages": [str(p) for p in result.packages],
        "notetype_mod": result.notetype_mod, "files": [[what, str(p)] for what, p in result.outputs],
        "warnings": list(result.warnings),
    })


def _report_paths(recipe: Recipe, out_dir: Path) -> tuple[Path, Path]:
    return out_dir / f"{recipe.slug}.catalog.jsonl", out_dir / f"{recipe.slug}.report.html"


def build(recipe: Recipe, *, out_dir: Path = Path("build"), check: bool = False, now: int | None = None,
          stage: Callable[[str], None] = lambda name: None, embeddings: bool = False,
          reuse: bool = False, recluster: bool = False) -> BuildResult:
    """The main job: every stage, then the packages, the lock, the catalog and the merge report.

    With `reuse`, a build whose inputs and outputs are those of the last build returns at once.
    """
    # Digested before the stages run, so an input edited mid-build is never stamped as built.
    inputs = _inputs_digest(recipe, out_dir, embeddings, recluster) if not check and cache.cache_dir() is not None else ""
    if reuse and inputs:
        current = _current(recipe, out_dir, inputs)
        if current is not None:
            return current
    # A build allocates millions of small objects that live until it ends and form no cycles;
    # the cyclic collector would rescan them again and again (10% of a 10k build), so it waits.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result, again = _build(recipe, out_dir=out_dir, check=check, now=now, stage=stage, embeddings=embeddings,
                               recluster=recluster)
    finally:
        from qdeck.anki import clear_render_cache

        clear_render_cache()
        if collecting:
            gc.enable()
    if inputs:
        _store_stamp(recipe, out_dir, inputs, result, again())
    return result


def previous_package(recipe: Recipe, out_dir: Path = Path("build")) -> Path:
    """Where a build keeps the full package it replaced: the release before it, for `qdeck diff`."""
    return out_dir / f"{recipe.slug}.previous.apkg"


def identify(cat: Catalog, lock: Lock, *, now: int, stage: Callable[[str], None] = lambda name: None,
             embeddings: bool = False, overrides: Overrides | None = None,
             recluster: bool = False, editorial: Editorial | None = None) -> tuple[list[Note], Lock, IdentityReport]:
    """Dedupe, tag and identify a catalog against the last release's lock: the notes to export
    (retired ones included), the new lock and what changed. `overrides` as `load_overrides` gives
    them (loaded when None).

    Notes start from the last release's (sticky clusters, questions and inferred tiers);
    `recluster` makes them afresh, as a change to the matcher or vocabulary may want, while
    every question still keeps its GUID.
    """
    from qdeck.identity import assign_identities, follow, keep_inferred_tiers, last_release

    # Identity runs in two steps around dedupe and tagging: first every released question is
    # followed to its place in the new sources (so clusters and tiers start from the last
    # release), then each note gets the GUID of the questions it continues.
    stage("identity")
    if overrides is None:
        overrides = load_overrides(cat)[0]
    alignment = follow(lock, cat.questions, same=overrides.same, fresh=overrides.new, overrides_path=cat.recipe.overrides)
    stage("dedupe and tag")
    notes = build_notes(cat, embeddings=embeddings, overrides=overrides,
                        previous=None if recluster else last_release(lock, alignment))
    if not recluster:
        notes = keep_inferred_tiers(notes, lock, alignment, cat.recipe.tag_root)
    stage("identity")
    return assign_identities(notes, lock, namespace=cat.recipe.slug, now=now, root=cat.recipe.tag_root,
                             alignment=alignment,
                             finish=None if editorial is None else attach(editorial, cat.recipe.tag_root))


def _build(recipe: Recipe, *, out_dir: Path, check: bool, now: int | None, stage: Callable[[str], None],
           embeddings: bool, recluster: bool = False) -> tuple[BuildResult, Callable[[], str]]:
    from qdeck.anki import write_apkg
    from qdeck.identity import IdentityReport, load_lock, lock_text, lock_would_change, save_lock
    from qdeck.files import remove_leftovers, write_atomic
    from qdeck.outputs.catalog import catalog_jsonl
    from qdeck.outputs.report import merge_report_html
    from qdeck.outputs.story import tell

    stage("ingest")
    with cache.read_only() if check else contextlib.nullcontext():
        cat = read_catalog(recipe)
    lock = load_lock(recipe.lock_path)
    overrides, notices = load_overrides(cat)
    editorial = load_editorial(recipe.editorial) if recipe.editorial is not None else None
    notes, new_lock, ident = identify(cat, lock, now=int(time.time()) if now is None else now, stage=stage,
                                      embeddings=embeddings, overrides=overrides, recluster=recluster,
                                      editorial=editorial)
    if editorial is not None:
        notices = [*notices, *editorial_notices(editorial, notes, (e.guid for e in new_lock.entries),
                                                 namespace=recipe.slug, fresh=not lock.entries)]
    changed = lock_would_change(new_lock, recipe.lock_path)
    names = [r.spec.name for r in cat.sources]
    story = tell(cat.questions, names, notes, lock, ident)

    def again() -> str:
        """What the same build tells when run again: every note is then in the lock, unchanged."""
        settled = IdentityReport(unchanged=tuple(n.guid for n in notes))
        return tell(cat.questions, names, notes, new_lock, settled).text()

    headline, summary = story.headline(), "\n".join([story.text(), *notices])
    warnings = tuple(w for source in cat.sources for w in source.parsed.warnings)
    if check:
        return BuildResult(tuple(notes), summary, ident.counts, changed, (), (), new_lock.notetype.mod,
                           headline=headline, notices=tuple(notices), warnings=warnings), again
    stage("export")
    by_ref = {q.ref: q for q in cat.questions}
    # The texts of the lock, catalog and report are made beside the packages for a large
    # deck; they are written only after every package was.
    texts = parallel.Beside(lambda: (lock_text(new_lock), catalog_jsonl(notes),
                                     merge_report_html(recipe.deck, notes, by_ref)),
                            enabled=len(notes) >= parallel.MIN_ITEMS)
    written: list[Path] = []
    packages: list[Path] = []
    outputs: list[tuple[str, Path]] = []
    previous: Path | None = None
    # Written only when the package changes, so a temporary a killed build left for it would wait for that.
    remove_leftovers(previous_package(recipe, out_dir))
    for name, chosen in package_plan(recipe, notes):
        path = out_dir / f"{name}.apkg"
        # The full package a build replaces is the release users have now: `qdeck diff` compares with it.
        keep = path == out_dir / f"{recipe.slug}.apkg" and path.is_file()
        old = path.read_bytes() if keep else b""
        if write_apkg(chosen, path, deck_name=recipe.deck, notetype_mod=new_lock.notetype.mod):
            written.append(path)
            if keep:
                previous = previous_package(recipe, out_dir)
                write_atomic(previous, old, what="package")
        packages.append(path)
        outputs.append((f"package, {len(chosen)} notes", path))
    stage("lock and reports")
    lock_str, catalog, report = texts.result()
    if save_lock(new_lock, recipe.lock_path, text=lock_str):
        written.append(recipe.lock_path)
    catalog_path, report_path = _report_paths(recipe, out_dir)
    outputs += [("identity lock", recipe.lock_path), ("catalog", catalog_path), ("merge report", report_path)]
    for path, text in {catalog_path: catalog, report_path: report}.items():
        if write_atomic(path, text.encode("utf-8")):
            written.append(path)
    return BuildResult(
        tuple(notes), summary, ident.counts, changed, tuple(written), tuple(packages), new_lock.notetype.mod,
        headline=headline, notices=tuple(notices), warnings=warnings, outputs=tuple(outputs), previous=previous,
    ), again

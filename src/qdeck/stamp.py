"""A build's stamp: what it read and what it wrote, so a rebuild with nothing changed runs no stage (as make)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qdeck.config import Recipe
from qdeck.models import Note
from qdeck.cache import file_sha256
from qdeck.settings import Runtime


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


def inputs_digest(recipe: Recipe, out_dir: Path, embeddings: bool, recluster: bool, rt: Runtime) -> str:
    """Everything a build reads but the lock: the recipe, its data folder, source files kept elsewhere."""
    paths = {recipe.path}
    if recipe.data_dir.is_dir():
        paths.update(p for p in recipe.data_dir.rglob("*") if p.is_file())
    for spec in recipe.sources:
        paths.add(spec.file)
        paths.update(v for v in spec.options.values() if isinstance(v, Path))
    return rt.cache.files_digest(sorted(paths), str(out_dir.resolve()), embeddings, recluster)


def _stamp_name(recipe: Recipe, out_dir: Path) -> str:
    return f"{recipe.path.resolve()}\0{out_dir.resolve()}"


def current(recipe: Recipe, out_dir: Path, inputs: str, rt: Runtime) -> BuildResult | None:
    """The last build's result when nothing it read or wrote has changed since."""
    stamp = rt.cache.load_stamp(_stamp_name(recipe, out_dir))
    try:
        if stamp is None or stamp["inputs"] != inputs or recipe.lock_path.resolve().as_posix() not in stamp["outputs"]:
            return None
        if any(file_sha256(Path(p)) != digest for p, digest in stamp["outputs"].items()):
            return None
        return BuildResult((), stamp["summary"], dict(stamp["counts"]), False, (),
                           tuple(Path(p) for p in stamp["packages"]), int(stamp["notetype_mod"]),
                           headline=stamp["headline"], up_to_date=True, warnings=tuple(stamp["warnings"]),
                           outputs=tuple((what, Path(p)) for what, p in stamp["files"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a stamp from another version: build


def store_stamp(recipe: Recipe, out_dir: Path, inputs: str, result: BuildResult, again: str,
                 rt: Runtime) -> None:
    """Remember the build; `again` is the story the same build tells when run once more."""
    outputs = [*result.packages, recipe.lock_path, *report_paths(recipe, out_dir)]  # the lock is read too
    rt.cache.store_stamp(_stamp_name(recipe, out_dir), {
        "inputs": inputs,
        "outputs": {p.resolve().as_posix(): file_sha256(p) for p in outputs},
        "summary": "\n".join([again, *result.notices]),
        "counts": {**{k: 0 for k in result.counts}, "unchanged": len(result.notes)},
        "headline": result.headline, "packages": [str(p) for p in result.packages],
        "notetype_mod": result.notetype_mod, "files": [[what, str(p)] for what, p in result.outputs],
        "warnings": list(result.warnings),
    })


def report_paths(recipe: Recipe, out_dir: Path) -> tuple[Path, Path]:
    return out_dir / f"{recipe.slug}.catalog.jsonl", out_dir / f"{recipe.slug}.report.html"

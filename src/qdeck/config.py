"""Load the data that drives a build: the source registry and a deck recipe."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from qdeck.errors import InputError

DEFAULT_RECIPE_DIR = Path("decks")  # relative to where qdeck runs: the project folder


class Format(str, enum.Enum):
    """Every source format qdeck reads; the parser for each is chosen in ingest."""

    NUMBERED = "numbered"  # numbered list; headings give sections and levels
    QA = "qa"  # question lines each followed by bullet answers
    DEEP_DIVE = "deep-dive"  # long answers with lost titles (one unique page layout)
    CSV = "csv"  # question, answer, tier, topics columns
    YAML = "yaml"  # a list of mappings with the CSV's keys
    JSON = "json"  # likewise, as JSON
    MARKDOWN = "markdown"  # GitHub-style lists: numbered question headings or items, answers below

    @classmethod
    def parse(cls, value: object, where: Path) -> "Format":
        try:
            return cls(str(value))
        except ValueError:
            known = ", ".join(f.value for f in cls)
            raise InputError(f"unknown format {value!r}; known formats: {known}", where) from None


@dataclass(frozen=True)
class SourceSpec:
    """One question list as declared in data/sources.yaml."""

    name: str
    file: Path
    format: Format
    title: str = ""
    tiers: Mapping[str, str | None] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Recipe:
    """A deck recipe: which sources make the deck, what it is called, what to write."""

    path: Path
    slug: str
    deck: str
    tag_root: str
    sources: tuple[SourceSpec, ...]
    data_dir: Path
    packages: tuple[Mapping[str, Any], ...] = ()
    overrides: Path | None = None
    taxonomy: Path | None = None

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f"{self.slug}.lock.yaml")


def read_yaml(path: Path, *, what: str = "the file", missing: str = "file not found") -> Any:
    """Parse a YAML file or raise an InputError naming the file and line.

    `what` names the file in messages ("the titles file"); `missing` is the whole message
    for a file that does not exist, so a caller can say how to make it.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(missing, path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read {what} ({err.__class__.__name__})", path) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise InputError(f"{where}malformed YAML ({problem}); fix {what}", path) from None


def _require_mapping(value: Any, what: str, path: Path) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{what} must be a mapping", path)
    return value


def load_sources(path: Path) -> dict[str, SourceSpec]:
    """Read the source registry; file paths are resolved against its folder."""
    raw = read_yaml(path)
    entries = _require_mapping(raw, "the file", path).get("sources")
    if not isinstance(entries, list) or not entries:
        raise InputError("expected a non-empty `sources:` list", path)
    specs: dict[str, SourceSpec] = {}
    for i, entry in enumerate(entries, 1):
        entry = _require_mapping(entry, f"source entry {i}", path)
        name = str(entry.get("name") or "").strip()
        if not name or not entry.get("file"):
            raise InputError(f"source entry {i} needs `name` and `file`", path)
        if name in specs:
            raise InputError(f"source {name!r} is declared twice; give each source one entry", path)
        tiers = {str(k): (str(v) if v else None) for k, v in (entry.get("tiers") or {}).items()}
        options = dict(entry.get("options") or {})
        for key in ("titles",):  # options that name files are relative to the registry too
            if key in options:
                options[key] = path.parent / str(options[key])
        specs[name] = SourceSpec(
            name=name,
            file=path.parent / str(entry["file"]),
            format=Format.parse(entry.get("format"), path),
            title=str(entry.get("title") or ""),
            tiers=tiers,
            options=options,
            encoding=str(entry.get("encoding") or "utf-8"),
        )
    return specs


def find_recipe(recipe: str | Path | None) -> Path:
    """The recipe named on the command line, or the only one in decks/."""
    if recipe is not None:
        return Path(recipe)
    found = sorted(p for p in DEFAULT_RECIPE_DIR.glob("*.yaml") if not p.name.endswith(".lock.yaml"))
    if len(found) != 1:
        raise InputError(f"found {len(found)} recipes; name one on the command line", DEFAULT_RECIPE_DIR)
    return found[0]


def load_recipe(recipe: str | Path | None = None) -> Recipe:
    """Load a deck recipe and the sources it uses."""
    path = find_recipe(recipe)
    raw = _require_mapping(read_yaml(path), "the recipe", path)
    data_dir = Path(os.path.normpath(path.parent / str(raw.get("data", "../data"))))
    registry = load_sources(data_dir / "sources.yaml")
    wanted = raw.get("sources") or list(registry)
    if not isinstance(wanted, list):
        raise InputError("`sources:` must be a list of source names", path)
    missing = [str(n) for n in wanted if str(n) not in registry]
    if missing:
        raise InputError(f"unknown source(s) {', '.join(missing)}; declare them in data/sources.yaml", path)
    if len(set(map(str, wanted))) != len(wanted):
        raise InputError("a source is named twice in `sources:`", path)
    slug = str(raw.get("slug") or path.stem)
    packages = raw.get("packages") or [{"name": slug}]
    overrides = data_dir / "overrides.yaml"
    taxonomy = data_dir / "taxonomy.yaml"
    return Recipe(
        path=path,
        slug=slug,
        deck=str(raw.get("deck") or slug),
        tag_root=str(raw.get("tag_root") or slug),
        sources=tuple(registry[str(n)] for n in wanted),
        data_dir=data_dir,
        packages=tuple(_require_mapping(p, "each package", path) for p in packages),
        overrides=overrides if overrides.exists() else None,
        taxonomy=taxonomy if taxonomy.exists() else None,
    )

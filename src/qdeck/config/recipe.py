"""The source registry (data/sources.yaml) and a deck recipe (decks/*.yaml), checked and resolved."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from qdeck.config import schema
from qdeck.config.schema import Format, Package
from qdeck.config.shape import Checked, Invalid, check, convert, load
from qdeck.config.titles import Titles, load_titles
from qdeck.errors import InputError

DEFAULT_RECIPE_DIR = Path("decks")  # relative to where qdeck runs: the project folder


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
    titles: Titles | None = None  # a deep-dive source's titles file, read and checked
    known_tiers: tuple[str, ...] = ()  # the taxonomy's tiers beside the registry, lowest first


@dataclass(frozen=True)
class Recipe:
    """A deck recipe: which sources make the deck, what it is called, what to write."""

    path: Path
    slug: str
    deck: str
    tag_root: str
    sources: tuple[SourceSpec, ...]
    data_dir: Path
    packages: tuple[Package, ...] = ()
    overrides: Path | None = None
    taxonomy: Path | None = None
    editorial: Path | None = None  # the folder of editorial answers, unless the recipe leaves them out
    # The data files the stages read, each read and checked here once (None: the file is absent).
    overrides_data: Checked[schema.OverridesFile] | None = field(default=None, repr=False)
    taxonomy_data: Checked[schema.TaxonomyFile] | None = field(default=None, repr=False)
    dedupe_data: Checked[schema.DedupeFile] | None = field(default=None, repr=False)

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f"{self.slug}.lock.yaml")


def load_sources(path: Path) -> dict[str, SourceSpec]:
    """Read the source registry; file paths are resolved against its folder, tiers come from the taxonomy there."""
    taxonomy = path.parent / "taxonomy.yaml"
    tiers = tuple(check(taxonomy, schema.TaxonomyFile, what="the taxonomy").value.tiers) if taxonomy.exists() else ()
    return _registry(path, tiers)[1]


def _registry(path: Path, tiers: tuple[str, ...]) -> tuple[Checked[schema.SourcesFile], dict[str, SourceSpec]]:
    checked = check(path, schema.SourcesFile)
    return checked, checked.build(lambda shape: _specs(shape, path.parent, tiers))


def _specs(registry: schema.SourcesFile, folder: Path, tiers: tuple[str, ...]) -> dict[str, SourceSpec]:
    specs: dict[str, SourceSpec] = {}
    for i, entry in enumerate(registry.sources):
        loc = ("sources", i)
        if entry.name in specs:
            raise Invalid((*loc, "name"), f"source {entry.name!r} is declared twice; give each source one entry")
        options = convert(entry.options, schema.OPTIONS[entry.format], (*loc, "options"))
        _check_patterns(options, (*loc, "options"))
        try:
            codecs.lookup(entry.encoding)
        except LookupError:
            raise Invalid((*loc, "encoding"), f"unknown encoding {entry.encoding!r}") from None
        plain = {name: getattr(options, name) for name in options.__struct_fields__}
        plain = {name: value for name, value in plain.items() if value not in (None, [])}
        if "headings" in plain:
            plain["headings"] = [{"kind": h.kind, "pattern": h.pattern} for h in plain["headings"]]
        if "titles" in plain:  # options that name files are relative to the registry too
            plain["titles"] = folder / plain["titles"]
        specs[entry.name] = SourceSpec(
            name=entry.name,
            file=folder / entry.file,
            format=entry.format,
            title=entry.title,
            tiers={str(k): v for k, v in entry.tiers.items()},
            options=plain,
            encoding=entry.encoding,
            titles=load_titles(plain["titles"]) if "titles" in plain else None,
            known_tiers=tiers,
        )
    return specs


def _check_patterns(options: schema.Shape, loc: tuple[str | int, ...]) -> None:
    """Every regex option compiles and has the named groups its parser reads."""
    for name in options.__struct_fields__:
        value = getattr(options, name)
        if name == "headings":
            for i, heading in enumerate(value):
                _check_regex(heading.pattern, "pattern", (*loc, name, i, "pattern"))
        elif isinstance(value, str) and name not in ("repair", "titles"):
            _check_regex(value, name, (*loc, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                _check_regex(item, name, (*loc, name, i))


def _check_regex(pattern: str, name: str, loc: tuple[str | int, ...]) -> None:
    try:
        compiled = re.compile(pattern)
    except re.error as err:
        raise Invalid(loc, f"not a valid regular expression ({err})") from None
    missing = [g for g in schema.GROUPS.get(name, ()) if g not in compiled.groupindex]
    if missing:
        raise Invalid(loc, f"the pattern needs the named group(s) {', '.join(f'(?P<{g}>...)' for g in missing)}")


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
    return load(path, schema.RecipeFile, what="the recipe", empty=schema.RecipeFile(),
                build=lambda raw: _recipe(raw, path))


def _recipe(raw: schema.RecipeFile, path: Path) -> Recipe:
    slug = raw.slug or path.stem
    if raw.slug is None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", slug):
        raise Invalid((), f"the file name {path.stem!r} cannot be the deck's slug; set `slug:` "
                          "(letters, digits, `-` and `_`)")
    data_dir = Path(os.path.normpath(path.parent / raw.data))
    taxonomy = data_dir / "taxonomy.yaml"
    taxonomy_data = check(taxonomy, schema.TaxonomyFile, what="the taxonomy") if taxonomy.exists() else None
    tiers = tuple(taxonomy_data.value.tiers) if taxonomy_data is not None else ()
    sources_data, registry = _registry(data_dir / "sources.yaml", tiers)
    wanted = raw.sources or list(registry)
    for i, name in enumerate(wanted):
        if name not in registry:
            raise Invalid(("sources", i), f"unknown source {name!r}; declare it in data/sources.yaml")
        if name in wanted[:i]:
            raise Invalid(("sources", i), f"the source {name!r} is named twice")
    for i, package in enumerate(raw.packages or ()):
        if (package.per == "tier") != ("{tier}" in package.name):
            raise Invalid(("packages", i, "name"), "a package with `per: tier` needs `{tier}` in its name, "
                                                   "and only such a package may have it")
    overrides = data_dir / "overrides.yaml"
    dedupe = data_dir / "dedupe.yaml"
    editorial = data_dir / "editorial"
    overrides_data = check(overrides, schema.OverridesFile, empty=schema.OverridesFile()) if overrides.exists() else None
    if taxonomy_data is not None:
        topics = tuple(taxonomy_data.value.topics)
        sources_data.build(lambda shape: _known_tiers(shape, tiers))
        if overrides_data is not None:
            overrides_data.build(lambda shape: _known_tags(shape, tiers, topics))
    return Recipe(
        path=path,
        slug=slug,
        deck=raw.deck or slug,
        tag_root=raw.tag_root or slug,
        sources=tuple(registry[n] for n in wanted),
        data_dir=data_dir,
        packages=tuple(raw.packages or [Package(name=slug)]),
        overrides=overrides if overrides.exists() else None,
        taxonomy=taxonomy if taxonomy.exists() else None,
        editorial=editorial if raw.editorial and editorial.is_dir() else None,
        overrides_data=overrides_data,
        taxonomy_data=taxonomy_data,
        dedupe_data=check(dedupe, schema.DedupeFile, empty=schema.DedupeFile()) if dedupe.exists() else None,
    )


def _known_tiers(registry: schema.SourcesFile, tiers: tuple[str, ...]) -> None:
    """Every tier a source's levels map to is one of the taxonomy's."""
    for i, entry in enumerate(registry.sources):
        for level, tier in entry.tiers.items():
            if tier is not None and tier not in tiers:
                raise Invalid(("sources", i, "tiers", level), f"{tier!r} is not one of the taxonomy's tiers "
                                                              f"({', '.join(tiers)})")


def _known_tags(overrides: schema.OverridesFile, tiers: tuple[str, ...], topics: tuple[str, ...]) -> None:
    """Every tier and topic an override sets is one the taxonomy has."""
    for ref, tier in overrides.tier.items():
        if schema.tier_named(tier, tiers) is None:
            raise Invalid(("tier", ref), f"{tier!r} is not one of the taxonomy's tiers ({', '.join(tiers)})")
    for ref, value in overrides.topics.items():
        chosen = [value] if isinstance(value, str) else value
        unknown = [t for t in chosen if t not in topics]
        if unknown or not 1 <= len(chosen) <= 2 or len(set(chosen)) != len(chosen):
            raise Invalid(("topics", ref), f"expected one or two of the taxonomy's topics, got {value!r}"
                                           + (f" ({unknown[0]!r} is not one)" if unknown else ""))

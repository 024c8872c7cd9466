"""Read data/taxonomy.yaml into a frozen Taxonomy: tiers, topics and their evidence, kind rules, inference settings.

The file's shape is declared in config/schema.py (TaxonomyFile); what a shape cannot say (a name listed
twice, a topic or kind that is not declared, a regex that does not compile) is checked here and
reported the same way, with the file's line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qdeck.config.schema import KindRuleSpec, TaxonomyFile, TierInference, TopicEvidence, Weights
from qdeck.config.shape import Checked, Invalid, check, convert
from qdeck.words import plain_tokens


@dataclass(frozen=True)
class KindRule:
    """Fires for a question with a coding task, matching text, or matching provenance."""

    kind: str
    code_task: bool
    text: tuple[re.Pattern[str], ...]
    where: tuple[tuple[tuple[str, re.Pattern[str]], ...], ...]


@dataclass(frozen=True)
class Taxonomy:
    """The parsed data/taxonomy.yaml: vocabulary, section priors, kind rules, inference settings."""

    path: Path
    tiers: tuple[str, ...]
    topics: tuple[str, ...]
    kinds: tuple[str, ...]
    terms: Mapping[tuple[str, ...], tuple[tuple[str, float], ...]]
    compounds: frozenset[str]  # dotted words ("functools.wraps") that are terms as a whole
    max_ngram: int
    patterns: tuple[tuple[re.Pattern[str], str, float], ...]
    starts: frozenset[str]  # the first words of terms: a text is matched only where one stands
    sections: Mapping[tuple[str, str], tuple[str, ...]]
    kind_rules: tuple[KindRule, ...]
    default_kind: str
    weights: Weights
    inference: TierInference


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and check a taxonomy file; every problem is an InputError naming the file and line."""
    path = Path(path)
    return taxonomy_from(check(path, TaxonomyFile, what="the taxonomy",
                                      missing="taxonomy not found; tagging needs data/taxonomy.yaml"))


def taxonomy_from(checked: Checked[TaxonomyFile]) -> Taxonomy:
    """The Taxonomy of a checked file (config.check); what its shape cannot say is checked here."""
    return checked.build(lambda raw: _build(checked.path, raw))


def _build(path: Path, doc: TaxonomyFile) -> Taxonomy:
    tiers = _unique(doc.tiers, "tiers")
    kinds = _unique(doc.kind_names, "kind_names")
    topics = tuple(doc.topics)
    terms, patterns = _vocabulary(doc.topics)
    _one_of(doc.weights.default_topic, topics, ("weights", "default_topic"))
    _one_of(doc.tier_inference.default_tier, tiers, ("tier_inference", "default_tier"))
    rules, default_kind = _kind_rules(doc.kinds, kinds)
    return Taxonomy(
        path=path,
        tiers=tiers,
        topics=topics,
        kinds=kinds,
        terms=MappingProxyType(terms),
        compounds=frozenset(key[0] for key in terms if len(key) == 1 and "." in key[0]),
        max_ngram=max((len(key) for key in terms), default=1),
        patterns=patterns,
        starts=frozenset(key[0] for key in terms),
        sections=MappingProxyType(_sections(doc.sections, topics)),
        kind_rules=rules,
        default_kind=default_kind,
        weights=doc.weights,
        inference=doc.tier_inference,
    )


def _unique(names: Sequence[str], what: str) -> tuple[str, ...]:
    for i, name in enumerate(names):
        if name in names[:i]:
            raise Invalid((what, i), f"{name!r} is listed twice")
    return tuple(names)


def _one_of(value: Any, allowed: Sequence[str], loc: tuple[str | int, ...]) -> None:
    if value not in allowed:
        raise Invalid(loc, f"{value!r} is not one of {', '.join(allowed)}")


def _vocabulary(topics: Mapping[str, TopicEvidence | None]) -> tuple[dict, tuple]:
    terms: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    patterns = []
    for topic, spec in topics.items():
        spec = spec or TopicEvidence()
        for term, weight in spec.terms.items():
            key = tuple(plain_tokens(term))
            if not key:
                raise Invalid(("topics", topic, "terms", term), f"{term!r} has no word in it")
            # the same words listed twice (e.g. "super" and "super()") count once, at the higher weight
            terms[key][topic] = max(weight, terms[key].get(topic, 0.0))
        for pattern, weight in spec.regex.items():
            patterns.append((_compile(pattern, ("topics", topic, "regex", pattern)), topic, weight))
    frozen = {key: tuple(sorted(by_topic.items())) for key, by_topic in terms.items()}
    return frozen, tuple(patterns)


def _compile(pattern: str, loc: tuple[str | int, ...]) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as err:
        raise Invalid(loc, f"bad regex {pattern!r}: {err}") from None


def _sections(raw: Mapping[str, Any], topics: Sequence[str]) -> dict[tuple[str, str], tuple[str, ...]]:
    out = {}
    for source, headings in raw.items():
        for heading, mapped in (headings or {}).items():
            for i, topic in enumerate(mapped or ()):
                _one_of(topic, topics, ("sections", source, heading, i))
            out[(source, section_key(heading))] = tuple(mapped or ())
    return out


def section_key(heading: str) -> str:
    """A heading reduced to lowercase words, so "1️⃣ Data Types & Collections (15)" == "data types and collections"."""
    text = re.sub(r"\(\d+\)\s*$", "", heading.casefold().replace("&", " and "))
    words = re.findall(r"[^\W_]+", text)
    while words and words[0].isdigit():
        words.pop(0)
    return " ".join(words)


def _kind_rules(raw: Mapping[str, Any], kinds: Sequence[str]) -> tuple[tuple[KindRule, ...], str]:
    for key in raw:
        if key not in ("default", "order", *kinds):
            raise Invalid(("kinds", key), f"unknown key `{key}`; the keys here are: default, order, {', '.join(kinds)}")
    default = raw.get("default")
    _one_of(default, kinds, ("kinds", "default"))
    order = convert(raw.get("order") or [], list[str], ("kinds", "order"))
    rules = []
    for i, kind in enumerate(order):
        _one_of(kind, kinds, ("kinds", "order", i))
        spec = convert(raw.get(kind) or {}, KindRuleSpec, ("kinds", kind))
        text = tuple(_compile(p, ("kinds", kind, "text", j)) for j, p in enumerate(spec.text))
        where = tuple(
            tuple((key, _compile(getattr(w, key), ("kinds", kind, "where", j, key)))
                  for key in sorted(w.__struct_fields__) if getattr(w, key) is not None)
            for j, w in enumerate(spec.where)
        )
        rules.append(KindRule(kind, spec.code_task, text, where))
    return tuple(rules), str(default)

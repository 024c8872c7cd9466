"""TAG stage: give each note a tier, one or two topics, a kind and its Anki tags, driven by data/taxonomy.yaml."""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qdeck import config, parallel
from qdeck.config.schema import KindRuleSpec, TaxonomyFile, TierInference, TopicEvidence, Weights, tier_named
from qdeck.config.shape import Invalid, convert
from qdeck.errors import InputError
from qdeck.models import Note, Question

_WORD = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# --------------------------------------------------------------------------- the taxonomy


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
    return taxonomy_from(config.check(path, TaxonomyFile, what="the taxonomy",
                                      missing="taxonomy not found; tagging needs data/taxonomy.yaml"))


def taxonomy_from(checked: config.Checked[TaxonomyFile]) -> Taxonomy:
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
            key = tuple(_plain_tokens(term))
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


# --------------------------------------------------------------------------- words


def _stem(word: str) -> str:
    # one plural rule, applied alike to data and text, is enough for "generators" ~ "generator"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "_")):
        return word[:-1]
    return word


def _plain_tokens(text: str) -> list[str]:
    """Words of a term as written in the data: dotted names stay whole."""
    return [_plain_word(w) for w in _WORD.findall(text.casefold())]


@lru_cache(maxsize=1 << 16)
def _plain_word(word: str) -> str:
    return ".".join(_stem(p) for p in word.split("."))


def _tokens(text: str, compounds: frozenset[str]) -> list[str]:
    """Words of running text: a dotted name stays whole only when the data names it as a term."""
    out: list[str] = []
    for word in _WORD.findall(text.casefold()):
        out.extend(_word_tokens(word, compounds))
    return out


@lru_cache(maxsize=1 << 16)  # words repeat across a corpus far more than texts do
def _word_tokens(word: str, compounds: frozenset[str]) -> tuple[str, ...]:
    parts = [_stem(p) for p in word.split(".")]
    joined = ".".join(parts)
    return (joined,) if joined in compounds else tuple(parts)


def _field_scores(text: str, tax: Taxonomy) -> dict[str, float]:
    """topic -> evidence in one piece of text, reading it left to right."""
    counts: dict[tuple[str, object], list[float]] = {}  # (topic, term or pattern) -> [weight, times]
    words = _tokens(text, tax.compounds) if text else []
    i = 0
    starts = tax.starts
    while i < len(words):
        if words[i] not in starts:
            i += 1
            continue
        # the longest term wins, so "for loop" is not also a bare "loop", nor "keyword argument" a "keyword"
        for n in range(min(tax.max_ngram, len(words) - i), 0, -1):
            key = tuple(words[i:i + n])
            if key in tax.terms:
                for topic, weight in tax.terms[key]:
                    counts.setdefault((topic, key), [weight, 0])[1] += 1
                i += n
                break
        else:
            i += 1
    for pattern, topic, weight in tax.patterns:
        hits = len(pattern.findall(text)) if text else 0
        if hits:
            counts[(topic, pattern)] = [weight, hits]
    scores: dict[str, float] = defaultdict(float)
    for (topic, _), (weight, times) in counts.items():
        # saying a term again is some evidence of focus, but ten mentions are not ten signals
        scores[topic] += weight * (1 + math.log(times))
    return scores


# --------------------------------------------------------------------------- topics and kind


def topic_scores(q: Question, tax: Taxonomy) -> dict[str, float]:
    """Evidence for each topic in one question: its text, coding task, answer and section."""
    w = tax.weights
    total: dict[str, float] = defaultdict(float)
    for text, weight in ((q.text, w.question), (q.code_task or "", w.code_task), (q.tests, w.tests)):
        for topic, s in _field_scores(text, tax).items():
            total[topic] += weight * s
    answer = _field_scores(q.answer, tax)
    if answer:
        scale = w.answer * min(1.0, w.answer_cap / (w.answer * max(answer.values())))
        for topic, s in answer.items():
            total[topic] += scale * s
    for rank, topic in enumerate(_section_topics(q, tax)):
        total[topic] += w.section * w.section_next ** rank
    return dict(total)


def _section_topics(q: Question, tax: Taxonomy) -> tuple[str, ...]:
    if not q.section:
        return ()
    return tax.sections.get((q.source, section_key(q.section)), ())


def choose_topics(scores: Mapping[str, float], tax: Taxonomy) -> tuple[str, ...]:
    """The best topic, and the runner-up when its evidence is close and strong enough."""
    ranked = sorted((t for t in tax.topics if scores.get(t, 0.0) > 0), key=lambda t: -scores[t])
    if not ranked:
        return (tax.weights.default_topic,)
    first = ranked[0]
    if len(ranked) > 1:
        second = scores[ranked[1]]
        if second >= tax.weights.second_min and second >= tax.weights.second_ratio * scores[first]:
            return (first, ranked[1])
    return (first,)


def question_kind(q: Question, tax: Taxonomy) -> str:
    """The kind of one question: the first rule in the data's order that fires."""
    for rule in tax.kind_rules:
        if rule.code_task and q.code_task:
            return rule.kind
        if any(p.search(q.text) for p in rule.text):
            return rule.kind
        provenance = {"source": q.source, "section": q.section or "", "level": q.level or ""}
        if any(all(p.search(provenance[key]) for key, p in where) for where in rule.where):
            return rule.kind
    return tax.default_kind


def _note_kind(kinds: Sequence[str], tax: Taxonomy) -> str:
    # the card carries every member's coding task, so one coding member makes a coding card
    for rule in tax.kind_rules:
        if rule.code_task and rule.kind in kinds:
            return rule.kind
    for rule in tax.kind_rules:
        if not rule.code_task and 2 * kinds.count(rule.kind) >= len(kinds):
            return rule.kind
    return tax.default_kind


# --------------------------------------------------------------------------- tier inference


def _doc_tokens(members: Sequence[Question], limit: int) -> frozenset[str]:
    words = [t for q in members for t in _plain_tokens(f"{q.text} {q.code_task or ''}")]
    if len(words) < limit // 4:
        # a bare heading ("Caching") says little about level; the answer's opening adds vocabulary
        words += [t for q in members for t in _plain_tokens(q.answer)[:limit]]
    return frozenset(t for t in words if len(t) > 1 and not t.isdigit())


def infer_tiers(
    docs: Mapping[int, frozenset[str]],
    known: Mapping[int, int],
    prior_keys: Mapping[int, tuple[str, str]],
    settings: TierInference,
    default_rank: int,
) -> dict[int, int]:
    """Tier ranks for the docs not in `known`, from their nearest known docs and topic/kind means.

    `prior_keys` gives each doc its (first topic, kind); `known` maps doc -> tier rank.
    """
    refs = sorted(known)
    if not refs:
        return {key: default_rank for key in docs if key not in known}
    df: dict[str, int] = defaultdict(int)
    for key in refs:
        for tok in docs[key]:
            df[tok] += 1
    n = len(refs)
    idf = {tok: math.log((n + 1) / (d + 0.5)) for tok, d in df.items()}
    cap = min(settings.max_postings, max(8, int(settings.max_df_share * n)))
    postings: dict[str, list[int]] = defaultdict(list)
    for key in refs:
        for tok in docs[key]:
            if df[tok] <= cap:
                postings[tok].append(key)
    # sorted, so float sums do not depend on set order (and so on the hash seed)
    norm = {key: math.sqrt(sum(idf[t] ** 2 for t in sorted(docs[key]))) or 1.0 for key in refs}
    means = _prior_means(known, prior_keys)
    out = {}
    for key in sorted(k for k in docs if k not in known):
        near = _neighbours(docs[key], idf, postings, norm, settings)
        topic, kind = prior_keys[key]
        num = sum(s * known[r] for r, s in near)
        den = sum(s for _, s in near)
        for weight, mean in ((settings.topic_prior, means.get(("topic", topic))),
                             (settings.kind_prior, means.get(("kind", kind)))):
            if mean is not None:
                num, den = num + weight * mean, den + weight
        estimate = num / den if den else means.get(("all", ""), default_rank)
        out[key] = int(math.floor(estimate + 0.5))
    return out


def _neighbours(tokens, idf, postings, norm, settings: TierInference) -> list[tuple[int, float]]:
    """The k most similar known docs, looked up through the rarest tokens only."""
    known_tokens = sorted((t for t in tokens if t in idf), key=lambda t: (-idf[t], t))
    qnorm = math.sqrt(sum(idf[t] ** 2 for t in known_tokens)) or 1.0
    dots: dict[int, float] = defaultdict(float)
    for tok in [t for t in known_tokens if t in postings][: settings.query_terms]:
        for ref in postings[tok]:
            dots[ref] += idf[tok] ** 2
    sims = ((ref, dot / (qnorm * norm[ref])) for ref, dot in dots.items())
    close = (p for p in sims if p[1] >= settings.min_similarity)
    return heapq.nsmallest(settings.k, close, key=lambda p: (-p[1], p[0]))


def _prior_means(known: Mapping[int, int], prior_keys: Mapping[int, tuple[str, str]]) -> dict:
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for key in sorted(known):
        topic, kind = prior_keys[key]
        for group in (("topic", topic), ("kind", kind), ("all", "")):
            sums[group][0] += known[key]
            sums[group][1] += 1
    return {group: total / count for group, (total, count) in sums.items()}


# --------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class _Draft:
    note: Note
    members: tuple[Question, ...]
    topics: tuple[str, ...]
    kind: str
    tier: str | None
    origin: str


def tag_notes(
    notes: list[Note],
    questions: Mapping[str, Question],
    taxonomy: Taxonomy,
    *,
    root: str = "python-interview",
    overrides: Mapping[str, Mapping] = {},  # noqa: B006 - read only
) -> list[Note]:
    """New notes, in the given order, with tier, tier_origin, topics, kind and sorted tags filled.

    `questions` maps every ref of every note to its Question; `overrides` maps a member ref to
    {"tier": slug} and/or {"topics": [..]} set by a maintainer.
    """
    _check_root(root)
    refs = sorted({r for note in notes for r in note.refs if r in questions})
    found = parallel.map_ordered(lambda r: _evidence(questions[r], taxonomy), refs, label="tagging questions")
    evidence = dict(zip(refs, found))
    drafts = [_draft(note, questions, taxonomy, overrides, evidence) for note in notes]
    # inference sees the notes in key order, so its ties never depend on the input order
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].note.key, drafts[i].note.refs))
    if any(not d.tier for d in drafts):
        rank = {slug: r for r, slug in enumerate(taxonomy.tiers)}
        by_pos = [drafts[i] for i in order]
        known = {pos: rank[d.tier] for pos, d in enumerate(by_pos) if d.tier}
        docs = {pos: _doc_tokens(d.members, taxonomy.inference.answer_tokens) for pos, d in enumerate(by_pos)}
        priors = {pos: (d.topics[0], d.kind) for pos, d in enumerate(by_pos)}
        default = rank[taxonomy.inference.default_tier]
        for pos, r in infer_tiers(docs, known, priors, taxonomy.inference, default).items():
            drafts[order[pos]] = replace(by_pos[pos], tier=taxonomy.tiers[r], origin="inferred")
    return [_finish(d, taxonomy, root) for d in drafts]


def _check_root(root: str) -> None:
    if not root or any(c.isspace() for c in root) or root.startswith(":") or root.endswith(":"):
        raise InputError(f"tag root {root!r} must be a non-empty word without spaces or outer colons")


def _evidence(q: Question, tax: Taxonomy) -> tuple[dict[str, float], str]:
    """What one question says about its note's topics and kind."""
    return topic_scores(q, tax), question_kind(q, tax)


def _draft(note: Note, questions: Mapping[str, Question], tax: Taxonomy, overrides: Mapping[str, Mapping],
           evidence: Mapping[str, tuple[dict[str, float], str]]) -> _Draft:
    members = tuple(questions[r] for r in sorted(note.refs) if r in questions) or (_stand_in(note),)
    found = [evidence.get(q.ref) or _evidence(q, tax) for q in members]
    totals: dict[str, float] = defaultdict(float)
    for question_scores, _ in found:  # member order, as the sums always were
        for topic, value in question_scores.items():
            totals[topic] += value
    scores = {t: totals.get(t, 0.0) / len(members) for t in tax.topics}
    topics = choose_topics(scores, tax)
    kinds = [kind for _, kind in found]
    code_kind = next((rule.kind for rule in tax.kind_rules if rule.code_task), None)
    if note.code_tasks and code_kind:
        kinds.append(code_kind)
    kind = _note_kind(kinds, tax)
    tier, origin = _explicit_tier(members, tax)
    override = _override(note, overrides, tax)
    if "tier" in override:
        tier, origin = override["tier"], "override"
    if "topics" in override:
        topics = override["topics"]
    return _Draft(note, members, topics, kind, tier, origin)


def _stand_in(note: Note) -> Question:
    # a retired note's questions are gone from the catalog; tag it from what it still carries
    source = note.sources[0] if note.sources else ""
    return Question(ref=note.key, source=source, number="", text=note.question, line=0,
                    answer=note.answer, code_task=" ".join(note.code_tasks) or None)


def _explicit_tier(members: Iterable[Question], tax: Taxonomy) -> tuple[str | None, str]:
    tiers = [q.tier for q in members if q.tier]
    for q in members:
        if q.tier and q.tier not in tax.tiers:
            raise InputError(f"{q.ref}: tier {q.tier!r} is not one of {', '.join(tax.tiers)}")
    if not tiers:
        return None, ""
    return min(tiers, key=tax.tiers.index), "explicit"


def _override(note: Note, overrides: Mapping[str, Mapping], tax: Taxonomy) -> dict[str, Any]:
    """What maintainers set for any member; for each field the first ref in sorted order wins."""
    out: dict[str, Any] = {}
    for ref in sorted(note.refs):
        for field, value in (overrides.get(ref) or {}).items():
            if field in out:
                continue
            if field == "tier":
                out["tier"] = _override_tier(ref, value, tax)
            elif field == "topics":
                out["topics"] = _override_topics(ref, value, tax)
    return out


def _override_tier(ref: str, value: Any, tax: Taxonomy) -> str:
    slug = tier_named(value, tax.tiers)
    if slug is not None:
        return slug
    raise InputError(f"override for {ref}: tier {value!r} is not one of {', '.join(tax.tiers)}")


def _override_topics(ref: str, value: Any, tax: Taxonomy) -> tuple[str, ...]:
    topics = (value,) if isinstance(value, str) else tuple(value or ())
    if not 1 <= len(topics) <= 2 or len(set(topics)) != len(topics) or any(t not in tax.topics for t in topics):
        raise InputError(f"override for {ref}: topics must be one or two of the taxonomy's topics, got {value!r}")
    return topics


def _finish(d: _Draft, tax: Taxonomy, root: str) -> Note:
    sources = sorted(set(d.note.sources) | {q.source for q in d.members if q.source})
    tags = {f"{root}::tier::{d.tier}", f"{root}::kind::{d.kind}"}
    tags |= {f"{root}::topic::{t}" for t in d.topics}
    tags |= {f"{root}::source::{s}" for s in sources}
    if d.note.status == "retired":
        tags.add(f"{root}::status::retired")
    if not d.note.answers and not d.note.answer.strip():
        tags.add(f"{root}::answer::none")  # the card says so too; a learner filters on this
    return replace(d.note, tier=d.tier or "", tier_origin=d.origin, topics=tuple(d.topics), kind=d.kind,
                   tags=tuple(sorted(tags)))

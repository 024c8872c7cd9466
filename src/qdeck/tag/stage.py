"""The TAG stage: give each note a tier, one or two topics, a kind and its Anki tags, driven by data/taxonomy.yaml."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from qdeck.parallel import SERIAL, Pool
from qdeck.config.schema import tier_named
from qdeck.config.taxonomy import Taxonomy
from qdeck.errors import InputError
from qdeck.models import Note, Question
from qdeck.tag.kinds import note_kind, question_kind
from qdeck.tag.tags import check_root, note_tags
from qdeck.tag.tiers import doc_tokens, infer_tiers
from qdeck.tag.topics import choose_topics, topic_scores


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
    pool: Pool = SERIAL,
) -> list[Note]:
    """New notes, in the given order, with tier, tier_origin, topics, kind and sorted tags filled.

    `questions` maps every ref of every note to its Question; `overrides` maps a member ref to
    {"tier": slug} and/or {"topics": [..]} set by a maintainer.
    """
    check_root(root)
    refs = sorted({r for note in notes for r in note.refs if r in questions})
    found = pool.map(lambda r: _evidence(questions[r], taxonomy), refs, label="tagging questions")
    evidence = dict(zip(refs, found))
    drafts = [_draft(note, questions, taxonomy, overrides, evidence) for note in notes]
    # inference sees the notes in key order, so its ties never depend on the input order
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].note.key, drafts[i].note.refs))
    if any(not d.tier for d in drafts):
        rank = {slug: r for r, slug in enumerate(taxonomy.tiers)}
        by_pos = [drafts[i] for i in order]
        known = {pos: rank[d.tier] for pos, d in enumerate(by_pos) if d.tier}
        docs = {pos: doc_tokens(d.members, taxonomy.inference.answer_tokens) for pos, d in enumerate(by_pos)}
        priors = {pos: (d.topics[0], d.kind) for pos, d in enumerate(by_pos)}
        default = rank[taxonomy.inference.default_tier]
        for pos, r in infer_tiers(docs, known, priors, taxonomy.inference, default).items():
            drafts[order[pos]] = replace(by_pos[pos], tier=taxonomy.tiers[r], origin="inferred")
    return [_finish(d, root) for d in drafts]



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
    kind = note_kind(kinds, tax)
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


def _finish(d: _Draft, root: str) -> Note:
    sources = sorted(set(d.note.sources) | {q.source for q in d.members if q.source})
    tags = note_tags(d.note, root, tier=d.tier, kind=d.kind, topics=d.topics, sources=sources)
    return replace(d.note, tier=d.tier or "", tier_origin=d.origin, topics=tuple(d.topics), kind=d.kind, tags=tags)

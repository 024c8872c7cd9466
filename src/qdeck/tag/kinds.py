"""The kind of a question (concept, coding, scenario) by the taxonomy's rules, and of a note from its members."""

from __future__ import annotations

from collections.abc import Sequence

from qdeck.config.taxonomy import Taxonomy
from qdeck.models import Question


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


def note_kind(kinds: Sequence[str], tax: Taxonomy) -> str:
    # the card carries every member's coding task, so one coding member makes a coding card
    for rule in tax.kind_rules:
        if rule.code_task and rule.kind in kinds:
            return rule.kind
    for rule in tax.kind_rules:
        if not rule.code_task and 2 * kinds.count(rule.kind) >= len(kinds):
            return rule.kind
    return tax.default_kind

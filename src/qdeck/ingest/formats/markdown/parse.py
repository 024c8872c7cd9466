"""Walk a markdown list once: questions with their answers, sections and levels, every other line accounted for."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qdeck.ingest.formats.common import Ledger
from qdeck.ingest.formats.markdown.answer import build_answer, glued_answer, text_fixes
from qdeck.ingest.formats.markdown.fences import find_fences
from qdeck.ingest.formats.markdown.layout import describe_layout, detect_layout, is_question
from qdeck.ingest.formats.markdown.lines import (
    ANCHOR_LINK, BULLET, GLUED_LABEL, IMAGE, LIST_ITEM, MARKUP, ORDERED, SEPARATOR, TABLE_ROW, TABLE_RULE, asks,
    read_heading, split_number,
)
from qdeck.models import Parsed, Question
from qdeck.parallel import SERIAL, Pool
from qdeck.text import clean_heading


@dataclass
class _Open:
    """The question being read: its line, text and the raw lines of its answer."""

    num: str
    text: str
    line: int
    context: tuple[tuple[int, str, bool], ...]
    base: int = 0  # indentation of a list item's text: deeper lines belong to the answer
    body: list[tuple[int, str]] = field(default_factory=list)
    wrapping: bool = False  # a list item's text may still continue on the next line


def parse(lines: list[str], spec: Any, *, pool: Pool = SERIAL) -> Parsed:
    """Parse a markdown list; the layout is detected (see the module docstring)."""
    ledger = Ledger(spec.name)
    roles = find_fences(lines, spec.name, ledger.warnings)
    layout = detect_layout(lines, roles)
    tiers = {str(k): v for k, v in (spec.tiers or {}).items()}
    titles = sum(1 for i, raw in enumerate(lines) if i not in roles and (h := read_heading(raw)) and h[0] == 1)
    context: list[tuple[int, str, bool]] = []  # open headings: level, title, whether it names a tier
    found: list[_Open] = []
    current: _Open | None = None
    question_level = layout[1] if layout and layout[0] in ("heading", "titles") else 0

    def close() -> None:
        nonlocal current
        if current is not None:
            found.append(current)
        current = None

    for i, raw in enumerate(lines):
        lineno, role = i + 1, roles.get(i)
        if role in ("open", "body", "close"):
            if current is not None:
                current.body.append((lineno, raw))
                if raw.strip():
                    ledger.take(lineno)
            elif raw.strip():
                ledger.skip(lineno, raw, "code outside any question")
            continue
        if not raw.strip():
            if current is not None:
                current.body.append((lineno, ""))
            continue
        if role == "stray":
            ledger.skip(lineno, raw, "stray code fence")
            continue
        if role == "inner":
            ledger.skip(lineno, raw, "``` inside a ~~~ code block (a card cannot show it)")
            continue
        question = is_question(raw, layout) if layout else None
        if question is not None:
            close()
            num, text, glued = question
            while question_level and context and context[-1][0] >= question_level:
                context.pop()  # a heading at the questions' level (contents, intro) is not their section
            item = LIST_ITEM.match(raw) if layout[0] == "list" else None
            current = _Open(num, text, lineno, tuple(context),
                            base=item.start("text") if item else 0, wrapping=layout[0] in ("line", "list"))
            if glued:
                current.body.append((lineno, glued))
            ledger.take(lineno)
            continue
        heading = read_heading(raw)
        if heading is not None:
            level, text = heading
            ledger.headings.append(lineno)
            if current is not None and question_level and level > question_level:
                continue  # a sub-heading of the answer: the answer goes on below it
            close()
            numbered = split_number(text)
            if layout and numbered and asks(numbered[1]):
                ledger.warnings.append(
                    f"{spec.name}: line {lineno}: heading looks like a question but questions here are "
                    f"{describe_layout(layout)}; make it one or reword it"
                )
            while context and context[-1][0] >= level:
                context.pop()
            if text:
                context.append((level, text, clean_heading(text) in tiers))
            continue
        if SEPARATOR.match(raw):
            close()
            ledger.skip(lineno, raw, "separator")
        elif "|" in raw and TABLE_RULE.match(raw):
            ledger.skip(lineno, raw, "table rule")
        elif MARKUP.match(raw):
            ledger.skip(lineno, raw, "HTML markup")
        elif IMAGE.match(raw):
            ledger.skip(lineno, raw, "image")
        elif ANCHOR_LINK.match(raw):
            ledger.skip(lineno, raw, "link within the page")
        elif current is not None:
            current.body.append((lineno, raw))
            ledger.take(lineno)
        else:
            ledger.skip(lineno, raw, "not part of a question")
    close()
    ledger.questions.extend(_questions(found, spec, tiers, roles, titles <= 1, ledger.warnings))
    return ledger.result()


def _questions(found: list[_Open], spec: Any, tiers: dict[str, Any], roles: dict[int, str],
               drop_title: bool, warnings: list[str]) -> list[Question]:
    numbers = _numbers(found, spec.name, warnings)
    out = []
    for q, number in zip(found, numbers):
        text, body = q.text, [(raw, roles.get(lineno - 1)) for lineno, raw in q.body]
        if q.wrapping:  # a question wrapped over lines goes on until it ends like a sentence
            while body and body[0][1] is None and body[0][0].strip() and not re.search(r"[?.:!]\W*$", text) \
                    and not (BULLET.match(body[0][0]) or ORDERED.match(body[0][0]) or TABLE_ROW.match(body[0][0])):
                text = f"{text} {body.pop(0)[0].strip()}"
        label = GLUED_LABEL.search(text)
        if label is not None:
            body.insert(0, (text[label.end():], None))
            text = text[: label.start()]
        elif (rest := glued_answer(text)) is not None:
            warnings.append(f"{spec.name}: line {q.line}: question {number} looks glued to its answer "
                            f"(\"{rest[:40]}\"); put the answer on a line of its own")
        sections = [(level, title) for level, title, tier in q.context
                    if not tier and not (drop_title and level == 1)]
        level = next((title for _, title, tier in reversed(q.context) if tier), None)
        out.append(
            Question(
                ref=f"{spec.name}#{number}",
                source=spec.name,
                number=number,
                text=text_fixes(text),
                line=q.line,
                answer=build_answer(body, q.base),
                section=sections[-1][1] if sections else None,
                level=level,
                tier=tiers.get(clean_heading(level)) if level else None,
            )
        )
    return out


def _numbers(found: list[_Open], source: str, warnings: list[str]) -> list[str]:
    """Each question's number, unique in the file.

    Printed numbers are kept; a list that restarts its numbers under each section gets
    `<section>.<number>`, sections counted from 1; unnumbered questions count from 1.
    """
    numbers = [q.num or str(k) for k, q in enumerate(found, 1)]
    if len(set(numbers)) == len(numbers):
        return numbers
    if all(n.isdigit() for n in numbers):
        group, last, grouped = 0, None, []
        for q, n in zip(found, numbers):
            if q.context != last:
                group, last = group + 1, q.context
            grouped.append(f"{group}.{n}")
        if len(set(grouped)) == len(grouped):
            return grouped
    seen: Counter[str] = Counter()
    out = []
    for q, n in zip(found, numbers):
        seen[n] += 1
        if seen[n] > 1:
            warnings.append(f"{source}: line {q.line}: number {n} appears {seen[n]} times; "
                            f"this one is {n}-{seen[n]}")
            n = f"{n}-{seen[n]}"
        out.append(n)
    return out

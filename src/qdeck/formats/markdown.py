"""Markdown question lists in the common GitHub layouts, with the layout detected from the file.

A question is one of (whichever the file uses most for questions):
- a numbered heading: `## 1. Question`, `## Q1. Question`, `### 2.3 Question`, `## 4️⃣ Question`,
  under any `## Section` headings above its level;
- a numbered line of its own: `**1. Question**`, `Q1. Question`, `**Q1:** Question`;
- a top-level numbered list item: `1. question` under headings;
- failing those, every heading of the level whose headings ask the most (`### What is X?`),
  numbered in file order.

What follows a question up to the next question, heading or `---` is its answer, kept in the
pipeline's markdown subset (see qdeck.models): paragraphs, `- ` and `1. ` items, fenced code with
its language, `**Ans:**` labels dropped. A heading never enters an answer: one above the question
level sets the section (or the level, when `tiers` maps its title), one below is a sub-heading of
the answer and is listed as a heading. Every other non-blank line is listed as skipped, with a
reason (separators, HTML markup, images, table rules, table-of-contents links, stray fences).

The parser warns, with line numbers, about a question that looks glued to its answer, a fence
that is never closed or closes nothing, a question-like heading at another level, and numbers
that repeat (when a list restarts its numbers per section, refs become `<section>.<number>`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qdeck.formats.common import Ledger
from qdeck.models import Parsed, Question
from qdeck.normalize import clean_heading

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)[^`]*$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*#*[ \t]*$")
# A number as lists print it: "12.", "12)", "12-", "Q12:", "Question 12 -", "2.3", "4️⃣".
_NUMBER = re.compile(
    r"^(?:(?:Q(?:uestion)?|No)\s*\.?\s*(?P<qnum>\d+(?:\.\d+)*)\s*[.):\-–—]?"
    r"|(?P<dotted>\d+(?:\.\d+)+)\s*[.):\-–—]?"
    r"|(?P<num>\d+)(?:\ufe0f?\u20e3\s*[.):\-–—]?|\s*[.):]|\s*[-–—](?=\s)))\s*(?P<text>[^\s.:)].*)$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^(?P<indent> {0,3})(?P<num>\d{1,4})[.)][ \t]+(?P<text>\S.*)$")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*+•][ \t]+(?P<text>\S.*)$")
_ORDERED = re.compile(r"^(?P<indent>[ \t]*)(?P<num>\d{1,9})[.)][ \t]+(?P<text>\S.*)$")
_SEPARATOR = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|={3,})$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# Tags alone, a comment, an anchor, or the label of a collapsed block (<summary>Answer</summary>).
_MARKUP = re.compile(
    r"^\s*(?:<!--.*-->|(?:</?[A-Za-z][^>]*>\s*)+|\{#[^}]*\}|(?:<details>\s*)?<summary>.*</summary>)\s*$",
    re.IGNORECASE,
)
_IMAGE = re.compile(r"^\s*(?:\[\s*)?!\[[^\]]*\]\([^)]*\)(?:\s*\]\([^)]*\))?\s*$")
# "[Back to top](#contents)", "- [What is X?](#1-what-is-x)": links within the page.
_ANCHOR_LINK = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*)?\[[^\]]*\]\(#[^)]*\)(?:\*\*)?\s*$")
_BOLD_LINE = re.compile(r"^\s*(?P<m>\*\*|__)(?P<inner>.+?)(?P=m)(?P<rest>.*)$")
_MARK = r"(?:\*\*|__|\*|_)"
# "**Ans:**", "**Answer**:", "_Answer_", "Answer:", "Ans -", "A:" opening an answer.
_ANSWER_LABEL = re.compile(
    rf"^(?:{_MARK}(?:Ans(?:wer)?|A)\s*[:.]?\s*{_MARK}\s*[:.\-–—]?|Ans(?:wer)?\s*(?:[:.]|\s[-–—])|A:)\s*",
    re.IGNORECASE,
)
# The same label inside a question line: "Q1. What is X? **Ans:** X is ...".
_GLUED_LABEL = re.compile(rf"\s+{_MARK}?Ans(?:wer)?\s*(?::\s*{_MARK}?|{_MARK}\s*:)\s*", re.IGNORECASE)
_TRIPLE_SPAN = re.compile(r"```([^`\n]+?)```")
_QUESTION_WORDS = frozenset(
    "what what's whats how why when where which who whom whose is are was were can could do does did "
    "should would will shall may might explain describe define write implement compare contrast "
    "differentiate distinguish list name give mention tell discuss demonstrate show create design "
    "find difference differences".split()
)
# A sentence after the question that does not start another question or task.
_ASKING_OPENERS = _QUESTION_WORDS | frozenset("also and or provide illustrate e.g. eg for".split())


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


def asks(text: str) -> bool:
    """Whether a heading or item reads as an interview question.

    >>> asks("What is a **decorator**?"), asks("Explain the GIL."), asks("Python Basics")
    (True, True, False)
    """
    plain = re.sub(r"[*_`]", "", text).strip()
    if plain.rstrip(")").endswith("?"):
        return True
    first = re.match(r"[A-Za-z']+", plain)
    return bool(first) and first.group(0).lower() in _QUESTION_WORDS


def split_number(text: str) -> tuple[str, str] | None:
    """The printed number of a question line and its text, or None when it has none.

    >>> split_number("Q12: What is PEP 8?"), split_number("2.3 Why tuples?")
    (('12', 'What is PEP 8?'), ('2.3', 'Why tuples?'))
    >>> split_number("4\\ufe0f\\u20e3 What is a set?"), split_number("7- Why?"), split_number("3 ways to sort")
    (('4', 'What is a set?'), ('7', 'Why?'), None)
    """
    m = _NUMBER.match(text.strip())
    if m is None:
        return None
    return m.group("qnum") or m.group("dotted") or m.group("num"), m.group("text").strip()


def _unbold(text: str) -> str:
    """A heading's text without bold wrapped round all of it.

    >>> _unbold("**1. What is X?**")
    '1. What is X?'
    """
    m = _BOLD_LINE.match(text)
    return m.group("inner").strip() if m and not m.group("rest").strip() else text.strip()


def _heading(raw: str) -> tuple[int, str] | None:
    m = _HEADING.match(raw)
    if m is None:
        return None
    return len(m.group("hashes")), _unbold(m.group("text") or "")


def _label_question(raw: str) -> tuple[str, str, str] | None:
    """A numbered question on a line of its own: (number, text, answer text glued after it)."""
    m = _BOLD_LINE.match(raw)
    if m is not None:
        inner, rest = m.group("inner").strip(), m.group("rest").strip()
        found = split_number(inner)
        if found is not None:
            return found[0], found[1], rest
        if re.fullmatch(r"(?:Q(?:uestion)?\s*\.?\s*)?\d+(?:\.\d+)*\s*[.):]?", inner, re.IGNORECASE):
            found = split_number(f"{inner} {rest}")  # "**Q1.** What is X?"
            return (found[0], found[1], "") if found else None
        return None
    if re.match(r"^\s*Q(?:uestion)?\s*\.?\s*\d", raw, re.IGNORECASE):
        found = split_number(raw)
        if found is not None:
            return found[0], found[1], ""
    return None


# --- fences ------------------------------------------------------------------------------


def _fences(lines: list[str], source: str, warnings: list[str]) -> dict[int, str]:
    """Each line's part in fenced code (0-based): open, body, close, stray, or inner (``` in ~~~).

    A bare ``` that no later fence closes, or that a numbered heading or a new ```lang interrupts,
    is stray (an extra closing fence); a ```lang block left open is closed before whatever
    interrupts it, so its code stays code.
    """
    roles: dict[int, str] = {}
    start: tuple[int, str, int, str] | None = None  # line, mark char, mark length, info
    i = 0
    while i < len(lines) or start is not None:
        m = _FENCE.match(lines[i]) if i < len(lines) else None
        if start is None:
            if m is not None:
                start = (i, m.group("mark")[0], len(m.group("mark")), m.group("info"))
                roles[i] = "open"
            i += 1
            continue
        at, char, length, info = start
        if m is not None and m.group("mark")[0] == char and len(m.group("mark")) >= length and not m.group("info"):
            roles[i] = "close"
            start = None
            i += 1
            continue
        if m is not None and char == "~" and m.group("mark")[0] == "`":
            roles[i] = "inner"  # the answer's code blocks are ``` fences: this line would end one
            i += 1
            continue
        end = i >= len(lines)
        if not end and not (m is not None and m.group("info")) and not re.match(r"^ {0,3}#{2,6}[ \t]+\S", lines[i]):
            roles[i] = "body"
            i += 1
            continue
        start = None
        if info:  # a real block left open: its code stays code; line i is read again outside it
            where = "runs to the end of the file" if end else f"ends before line {i + 1}"
            warnings.append(f"{source}: line {at + 1}: the code fence is never closed, so its code {where}; "
                            "add ``` after the code")
            continue
        roles[at] = "stray"
        for j in range(at + 1, i):
            roles.pop(j, None)
        warnings.append(f"{source}: line {at + 1}: a stray code fence (it opens no code block); delete it")
        i = at + 1
    return roles


# --- layout ------------------------------------------------------------------------------

Layout = tuple[str, int]  # ("heading", level) | ("titles", level) | ("line", 0) | ("list", 0)
_PREFERENCE = ("titles", "list", "line", "heading")  # on a tie, the later kind wins


def _list_question(raw: str) -> tuple[str, str, str] | None:
    m = _LIST_ITEM.match(raw)
    if m is None or len(m.group("indent")) > 1 or _ANCHOR_LINK.match(raw):
        return None
    return m.group("num"), m.group("text").strip(), ""


def detect_layout(lines: list[str], roles: dict[int, str]) -> Layout | None:
    """Which lines are the questions: the kind of line that asks the most questions.

    Ties go to headings, then numbered lines, then list items; `("titles", n)` (every
    level-n heading is a question) only wins when no numbered kind asks as many.
    """
    found: dict[Layout, list[str]] = {}
    for i, raw in enumerate(lines):
        if i in roles or not raw.strip():
            continue
        heading = _heading(raw)
        if heading is not None:
            level, text = heading
            if not text:
                continue
            numbered = split_number(text)
            if numbered is not None:
                found.setdefault(("heading", level), []).append(numbered[1])
            found.setdefault(("titles", level), []).append(text)
            continue
        for kind, match in (("line", _label_question), ("list", _list_question)):
            question = match(raw)
            if question is not None:
                found.setdefault((kind, 0), []).append(question[1])
                break
    if not found:
        return None

    def score(layout: Layout) -> tuple[int, int, int]:
        texts = found[layout]
        asking = sum(map(asks, texts))
        if layout[0] == "titles":
            return (asking if asking >= 2 else 0, 0, 0)
        return asking, _PREFERENCE.index(layout[0]), len(texts)

    best = max(found, key=score)
    return best if score(best) != (0, 0, 0) else None


# --- answers -----------------------------------------------------------------------------


def _text_fixes(text: str) -> str:
    """Inline markdown the answer subset lacks: ```span``` -> `span`, <br> dropped, > quotes
    (and a heading quoted in one) unwrapped.

    >>> _text_fixes("> Use ```x = 1``` here<br>"), _text_fixes("> ## Note")
    ('Use `x = 1` here', 'Note')
    """
    text = re.sub(r"^(?:\s*>)+\s?(?:\s*#{1,6}(?:\s+|$))?", "", text)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    return _TRIPLE_SPAN.sub(r"`\1`", text).strip()


def _indent(raw: str) -> int:
    return len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())


def build_answer(body: list[tuple[str, str | None]], base: int = 0) -> str:
    """An answer's raw markdown lines (with their fence roles) in the pipeline's subset.

    >>> print(build_answer([("**Ans:** Lists", None), ("are mutable.", None), ("", None),
    ...                     ("```python", "open"), ("  x = [1]", "body"), ("```", "close"),
    ...                     ("* one", None), ("  more", None), ("| a | b |", None)]))
    Lists are mutable.
    <BLANKLINE>
    ```python
      x = [1]
    ```
    <BLANKLINE>
    - one more
    <BLANKLINE>
    | a | b |
    """
    out: list[str] = []
    kind = ""  # what the last output line is: para, item, table, code, icode
    gap = False  # a blank line since it
    fence_indent = 0
    pending_blank = 0  # blank lines inside indented code, kept only if more code follows

    def start(new_kind: str) -> None:
        nonlocal kind
        if kind in ("code", "icode"):  # a block the source never closed ends here
            out.append("```")
        if out:
            out.append("")
        kind = new_kind

    for raw, role in body:
        if role in ("open", "body", "close"):
            if role == "open":
                start("code")
                fence_indent = _indent(raw)
                info = _FENCE.match(raw)
                out.append("```" + (info.group("info") if info else ""))
            elif role == "body":
                line = raw.expandtabs(4)
                cut = min(fence_indent, _indent(line)) if line.strip() else len(line)
                out.append(line[cut:].rstrip())
            else:
                out.append("```")
                kind, gap = "closed", True
            continue
        if kind == "code":  # a block the source never closed ends here
            out.append("```")
            kind = "closed"
        if not raw.strip():
            gap = True
            if kind == "icode":
                pending_blank += 1
            continue
        indent = _indent(raw)
        if kind == "icode" and indent >= base + 4:
            out.extend([""] * pending_blank + [raw.expandtabs(4)[base + 4:].rstrip()])
            pending_blank, gap = 0, False
            continue
        pending_blank = 0
        if gap and indent >= base + 4 and kind in ("para", "table", "closed") and not _BULLET.match(raw):
            start("icode")
            out.extend(["```", raw.expandtabs(4)[base + 4:].rstrip()])
            gap = False
            continue
        bullet, ordered = _BULLET.match(raw), _ORDERED.match(raw)
        if bullet or ordered:
            text = _text_fixes((bullet or ordered).group("text"))
            if kind != "item":
                start("item")
            out.append(f"- {text}" if bullet else f"{ordered.group('num')}. {text}")
        elif _TABLE_ROW.match(raw):
            if kind != "table":
                start("table")
            out.append(raw.strip())
        else:
            text = _text_fixes(raw)
            if not out:
                text = _ANSWER_LABEL.sub("", text, count=1)
                if not text:
                    continue  # the answer's label on a line of its own
            if kind == "item" and (not gap or indent > base):
                out[-1] += " " + text
            elif kind == "para" and not gap:
                out[-1] += " " + text
            else:
                start("para")
                out.append(text)
        gap = False
    if kind in ("code", "icode"):
        out.append("```")
    return "\n".join(out).strip("\n")


# --- the walk ----------------------------------------------------------------------------


def glued_answer(text: str) -> str | None:
    """The answer-like sentence after a question's `?`, if the line seems to run into its answer.

    >>> glued_answer("What is Python? Python is a high-level, interpreted language.")
    'Python is a high-level, interpreted language.'
    >>> glued_answer("What is a decorator? Give an example of one you wrote."), glued_answer("Why? How?")
    (None, None)
    >>> glued_answer("How does CPython run bytecode? `dis`, the eval loop, frames, and the specializer")
    """
    m = re.search(r"\?[*_\s]+(?P<rest>[^?]+)$", text)  # an answer is a sentence: it ends with . or !
    if m is None:
        return None
    rest = m.group("rest").strip()
    first = re.match(r"[A-Za-z.']+", rest)
    if len(rest.split()) < 5 or not re.search(r"[.!][*_\s]*$", rest) or (first and first.group(0).lower() in _ASKING_OPENERS):
        return None
    return rest


def _is_question(raw: str, layout: Layout) -> tuple[str, str, str] | None:
    kind, level = layout
    if kind == "line":
        return _label_question(raw)
    if kind == "list":
        return _list_question(raw)
    heading = _heading(raw)
    if heading is None or heading[0] != level or not heading[1]:
        return None
    if kind == "titles":
        return "", heading[1], ""
    numbered = split_number(heading[1])
    return (*numbered, "") if numbered else None


def parse(lines: list[str], spec: Any) -> Parsed:
    """Parse a markdown list; the layout is detected (see the module docstring)."""
    ledger = Ledger(spec.name)
    roles = _fences(lines, spec.name, ledger.warnings)
    layout = detect_layout(lines, roles)
    tiers = {str(k): v for k, v in (spec.tiers or {}).items()}
    titles = sum(1 for i, raw in enumerate(lines) if i not in roles and (h := _heading(raw)) and h[0] == 1)
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
        question = _is_question(raw, layout) if layout else None
        if question is not None:
            close()
            num, text, glued = question
            while question_level and context and context[-1][0] >= question_level:
                context.pop()  # a heading at the questions' level (contents, intro) is not their section
            item = _LIST_ITEM.match(raw) if layout[0] == "list" else None
            current = _Open(num, text, lineno, tuple(context),
                            base=item.start("text") if item else 0, wrapping=layout[0] in ("line", "list"))
            if glued:
                current.body.append((lineno, glued))
            ledger.take(lineno)
            continue
        heading = _heading(raw)
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
                    f"{_describe(layout)}; make it one or reword it"
                )
            while context and context[-1][0] >= level:
                context.pop()
            if text:
                context.append((level, text, clean_heading(text) in tiers))
            continue
        if _SEPARATOR.match(raw):
            close()
            ledger.skip(lineno, raw, "separator")
        elif "|" in raw and _TABLE_RULE.match(raw):
            ledger.skip(lineno, raw, "table rule")
        elif _MARKUP.match(raw):
            ledger.skip(lineno, raw, "HTML markup")
        elif _IMAGE.match(raw):
            ledger.skip(lineno, raw, "image")
        elif _ANCHOR_LINK.match(raw):
            ledger.skip(lineno, raw, "link within the page")
        elif current is not None:
            current.body.append((lineno, raw))
            ledger.take(lineno)
        else:
            ledger.skip(lineno, raw, "not part of a question")
    close()
    ledger.questions.extend(_questions(found, spec, tiers, roles, titles <= 1, ledger.warnings))
    return ledger.result()


def _describe(layout: Layout) -> str:
    kind, level = layout
    return {"heading": f"numbered level-{level} headings", "titles": f"level-{level} headings",
            "line": "numbered lines", "list": "numbered list items"}[kind]


def _questions(found: list[_Open], spec: Any, tiers: dict[str, Any], roles: dict[int, str],
               drop_title: bool, warnings: list[str]) -> list[Question]:
    numbers = _numbers(found, spec.name, warnings)
    out = []
    for q, number in zip(found, numbers):
        text, body = q.text, [(raw, roles.get(lineno - 1)) for lineno, raw in q.body]
        if q.wrapping:  # a question wrapped over lines goes on until it ends like a sentence
            while body and body[0][1] is None and body[0][0].strip() and not re.search(r"[?.:!]\W*$", text) \
                    and not (_BULLET.match(body[0][0]) or _ORDERED.match(body[0][0]) or _TABLE_ROW.match(body[0][0])):
                text = f"{text} {body.pop(0)[0].strip()}"
        label = _GLUED_LABEL.search(text)
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
                text=_text_fixes(text),
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

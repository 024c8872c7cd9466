"""Question lines each followed by bullet answers (answered-200).

Options: `question` (regex with `num` and `text`), `trailer` (first line of a closing
block that answers no question), and `repair: scraped-inline-code` for answers whose
inline code lost its marks and spaces in an HTML scrape (see qdeck.repair).

A markdown heading (`## Section`) ends the answer before it and is listed as a heading; a
fenced ``` block stays a code block in the answer, lines and indentation kept.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from qdeck.errors import InputError
from qdeck.ingest.formats.common import Ledger, compile_option
from qdeck.models import Parsed, Question
from qdeck.parallel import SERIAL, Pool

_BULLET = re.compile(r"^\s*[-*•]\s+")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_FENCE = re.compile(r"^\s*(?:```|~~~)")


def plain_bullets(lines: list[str]) -> list[str]:
    """Bullets from `- ` lines; other lines continue the bullet before them.

    >>> plain_bullets(["- one", "  wrapped", "- two"])
    ['one wrapped', 'two']
    """
    bullets: list[str] = []
    for line in lines:
        if _BULLET.match(line) or not bullets:
            bullets.append(_BULLET.sub("", line).strip())
        else:
            bullets[-1] = f"{bullets[-1]} {line.strip()}"
    return [b for b in bullets if b]


def parse(lines: list[str], spec: Any, *, pool: Pool = SERIAL) -> Parsed:
    opts = dict(spec.options)
    question = compile_option(opts, "question") or re.compile(r"^\s*Q(?P<num>\d+)[.:)]\s*(?P<text>.+)$")
    trailer = compile_option(opts, "trailer")
    repair = opts.get("repair")
    if repair not in (None, "scraped-inline-code"):
        raise ValueError(f"unknown repair {repair!r}")  # config is validated in ingest
    ledger = Ledger(spec.name)
    current: tuple[re.Match[str], int] | None = None
    body: list[str] = []
    in_trailer = False
    found: list[tuple[re.Match[str], int, list[str]]] = []

    def close() -> None:
        nonlocal current, body
        if current is not None:
            found.append((*current, body))
        current, body = None, []

    fence_at = 0  # the line of the open code fence in the current answer
    for lineno, raw in enumerate(lines, 1):
        if fence_at and current is not None:  # code lines, blank ones included, stay as they are
            body.append(raw)
            if raw.strip():
                ledger.take(lineno)
            fence_at = 0 if _FENCE.match(raw) else fence_at
            continue
        if not raw.strip():
            continue
        if in_trailer or (trailer and trailer.search(raw)):
            close()
            in_trailer = True
            ledger.skip(lineno, raw, "trailer")
        elif _HEADING.match(raw):
            close()
            ledger.headings.append(lineno)
        elif current is not None and _FENCE.match(raw):
            fence_at = lineno
            body.append(raw)
            ledger.take(lineno)
        elif (m := question.match(raw)) is not None:
            close()
            current = (m, lineno)
            ledger.take(lineno)
        elif current is not None:
            body.append(raw)
            ledger.take(lineno)
        else:
            ledger.skip(lineno, raw, "not part of a question")
    close()
    if fence_at:
        ledger.warnings.append(f"{spec.name}: line {fence_at}: the code fence is never closed; add ``` after the code")
    texts = [(match.group("text").strip(), body) for match, _, body in found]
    if repair:
        from qdeck.repair import has_english_words

        if not has_english_words():
            raise InputError(f"source {spec.name!r}: the {repair} repair needs the `wordfreq` package "
                             "(a qdeck dependency) and it does not load; reinstall qdeck (pip install -e .)", spec.file)
        # The repair search takes tens of milliseconds per answer; answers are independent.
        repaired = pool.map(_repaired, texts, min_items=32, label="repairing answers")
    else:
        repaired = [(text, answer_of(body, plain_bullets)) for text, body in texts]
    for (match, lineno, _), (text, answer) in zip(found, repaired):
        ledger.questions.append(
            Question(
                ref=f"{spec.name}#{match.group('num')}",
                source=spec.name,
                number=match.group("num"),
                text=text,
                line=lineno,
                answer=answer,
            )
        )
    return ledger.result()


def answer_of(body: list[str], bullets_of: Callable[[list[str]], list[str]]) -> str:
    """An answer: `- ` bullets from the text between code blocks, fenced blocks kept whole.

    >>> print(answer_of(["- Use a list:", "```python", "", "  xs = [1]", "```", "- Done."], plain_bullets))
    - Use a list:
    <BLANKLINE>
    ```python
    <BLANKLINE>
      xs = [1]
    ```
    <BLANKLINE>
    - Done.
    """
    parts: list[str] = []
    text: list[str] = []
    code: list[str] | None = None
    for line in body:
        if code is None and _FENCE.match(line):
            if text:
                parts.append("\n".join(f"- {b}" for b in bullets_of(text)))
            text, code = [], [line.strip()]
        elif code is not None:
            code.append(line.strip() if _FENCE.match(line) else line.rstrip())
            if _FENCE.match(line):
                parts.append("\n".join(code))
                code = None
        else:
            text.append(line)
    if code is not None:  # never closed: close it, so the rest of the card is not code
        parts.append("\n".join([*code, "```"]))
    if text:
        parts.append("\n".join(f"- {b}" for b in bullets_of(text)))
    return "\n\n".join(p for p in parts if p)


def _repaired(item: tuple[str, list[str]]) -> tuple[str, str]:
    from qdeck.repair import repair_answer, repair_question

    text, body = item
    return repair_question(text), answer_of(body, repair_answer)

"""Question lines each followed by bullet answers (answered-200).

Options: `question` (regex with `num` and `text`), `trailer` (first line of a closing
block that answers no question), and `repair: scraped-inline-code` for answers whose
inline code lost its marks and spaces in an HTML scrape (see qdeck.repair).
"""

from __future__ import annotations

import re
from typing import Any

from qdeck import parallel
from qdeck.errors import InputError
from qdeck.formats.common import Ledger, compile_option
from qdeck.models import Parsed, Question

_BULLET = re.compile(r"^\s*[-*•]\s+")


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


def parse(lines: list[str], spec: Any) -> Parsed:
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

    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        if in_trailer or (trailer and trailer.search(raw)):
            close()
            in_trailer = True
            ledger.skip(lineno, raw, "trailer")
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
    texts = [(match.group("text").strip(), body) for match, _, body in found]
    if repair:
        from qdeck.repair import has_english_words

        if not has_english_words():
            raise InputError(f"source {spec.name!r}: the {repair} repair needs the `wordfreq` package "
                             "(a qdeck dependency) and it does not load; reinstall qdeck (pip install -e .)", spec.file)
        # The repair search takes tens of milliseconds per answer; answers are independent.
        repaired = parallel.map_ordered(_repaired, texts, min_items=32)
    else:
        repaired = [(text, plain_bullets(body)) for text, body in texts]
    for (match, lineno, _), (text, bullets) in zip(found, repaired):
        ledger.questions.append(
            Question(
                ref=f"{spec.name}#{match.group('num')}",
                source=spec.name,
                number=match.group("num"),
                text=text,
                line=lineno,
                answer="\n".join(f"- {b}" for b in bullets),
            )
        )
    return ledger.result()


def _repaired(item: tuple[str, list[str]]) -> tuple[str, list[str]]:
    from qdeck.repair import repair_answer, repair_question

    text, body = item
    return repair_question(text), repair_answer(body)

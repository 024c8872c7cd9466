"""Numbered lists whose headings give sections and levels (tiered-200, senior-180, levels-415).

Options (all regexes, set per source in data/sources.yaml):
- `item`: a question line, with groups `num` and `text`;
- `headings`: outermost first, each `{kind: level|section, pattern: ...}` with a `title`
  group (optional `key` group for the tier map); a heading clears every deeper one, so a
  level without sections never inherits the previous level's section;
- `separator`: lines that end a question (no later line is joined to it);
- `markup`: decorative lines (anchors, `<br>`), listed as skipped;
- `code_task`: splits a question's task off its text, with group `task`;
- `trailer`: the first line of a closing block that holds no questions.
Any other line continues the open question (wrapped or blank-line-split text); one that
follows a question mark or opens a code fence is probably an answer, and is warned about.
"""

from __future__ import annotations

import re
from typing import Any

from qdeck.ingest.formats.common import Ledger, compile_list, compile_option
from qdeck.models import Parsed, Question
from qdeck.parallel import SERIAL, Pool
from qdeck.text import clean_heading


def _headings(options: dict[str, Any]) -> list[tuple[str, re.Pattern[str]]]:
    return [(str(h["kind"]), re.compile(h["pattern"])) for h in options.get("headings") or []]


def parse(lines: list[str], spec: Any, *, pool: Pool = SERIAL) -> Parsed:
    opts = dict(spec.options)
    item = compile_option(opts, "item") or re.compile(r"^\s*(?P<num>\d+)[.)]\s+(?P<text>.+)$")
    headings = _headings(opts)
    separators = compile_list(opts, "separator")
    markup = compile_list(opts, "markup")
    code_task = compile_option(opts, "code_task")
    trailer = compile_option(opts, "trailer")

    ledger = Ledger(spec.name)
    context: dict[str, tuple[str, str] | None] = {kind: None for kind, _ in headings}
    open_q: dict[str, Any] | None = None
    in_trailer = False

    def close() -> None:
        nonlocal open_q
        if open_q is None:
            return
        text, task = " ".join(open_q["parts"]), None
        match = code_task.search(text) if code_task else None
        if match:
            text, task = text[: match.start()], match.group("task").strip() or None
        level = context.get("level")
        ledger.questions.append(
            Question(
                ref=f"{spec.name}#{open_q['num']}",
                source=spec.name,
                number=open_q["num"],
                text=text.strip(),
                line=open_q["line"],
                section=open_q["section"][0] if open_q["section"] else None,
                level=level[0] if level else None,
                tier=spec.tiers.get(level[1]) if level else None,
                code_task=task,
            )
        )
        open_q = None

    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        if in_trailer or (trailer and trailer.search(raw)):
            close()
            in_trailer = True
            ledger.skip(lineno, raw, "trailer")
            continue
        if (m := item.match(raw)) is not None:
            close()
            section = context.get("section")
            open_q = {"num": m.group("num"), "parts": [m.group("text").strip()], "line": lineno, "section": section}
            ledger.take(lineno)
            continue
        heading = next(((depth, kind, m) for depth, (kind, pat) in enumerate(headings) if (m := pat.match(raw))), None)
        if heading is not None:
            close()
            depth, kind, m = heading
            title = m.groupdict().get("title") or m.group(0)
            key = m.groupdict().get("key") or clean_heading(title)
            context[kind] = (title.strip(), key)
            for deeper_kind, _ in headings[depth + 1 :]:
                context[deeper_kind] = None
            ledger.headings.append(lineno)
        elif any(p.search(raw) for p in separators):
            close()
            ledger.skip(lineno, raw, "separator")
        elif any(p.search(raw) for p in markup):
            ledger.skip(lineno, raw, "markup")
        elif open_q is not None:
            _warn_glued(ledger, spec.name, open_q, lineno, raw)
            open_q["parts"].append(raw.strip())
            ledger.take(lineno)
        else:
            ledger.skip(lineno, raw, "not part of a question")
    close()
    return ledger.result()



def _warn_glued(ledger: Ledger, source: str, open_q: dict[str, Any], lineno: int, raw: str) -> None:
    """Say so when a line joined to a question reads as its answer: this format keeps none."""
    if open_q.get("warned"):
        return
    if raw.lstrip().startswith("```"):
        what = "a code fence"
    elif re.search(r"\?[*_)\s]*$", open_q["parts"][-1]):
        what = "text after the question mark"
    else:
        return
    open_q["warned"] = True
    ledger.warnings.append(
        f"{source}: line {lineno}: {what} is joined to question {open_q['num']} (line {open_q['line']}); "
        "the numbered format reads no answers: use `format: markdown` for a list with answers"
    )

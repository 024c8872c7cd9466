"""A markdown question's answer lines in the pipeline's markdown subset, and answers glued to questions."""

from __future__ import annotations

import re

from qdeck.ingest.formats.markdown.lines import (
    ANSWER_LABEL, ASKING_OPENERS, BULLET, FENCE, ORDERED, TABLE_ROW, TRIPLE_SPAN,
)


def text_fixes(text: str) -> str:
    """Inline markdown the answer subset lacks: ```span``` -> `span`, <br> dropped, > quotes
    (and a heading quoted in one) unwrapped.

    >>> text_fixes("> Use ```x = 1``` here<br>"), text_fixes("> ## Note")
    ('Use `x = 1` here', 'Note')
    """
    text = re.sub(r"^(?:\s*>)+\s?(?:\s*#{1,6}(?:\s+|$))?", "", text)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    return TRIPLE_SPAN.sub(r"`\1`", text).strip()


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
                info = FENCE.match(raw)
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
        if gap and indent >= base + 4 and kind in ("para", "table", "closed") and not BULLET.match(raw):
            start("icode")
            out.extend(["```", raw.expandtabs(4)[base + 4:].rstrip()])
            gap = False
            continue
        bullet, ordered = BULLET.match(raw), ORDERED.match(raw)
        if bullet or ordered:
            text = text_fixes((bullet or ordered).group("text"))
            if kind != "item":
                start("item")
            out.append(f"- {text}" if bullet else f"{ordered.group('num')}. {text}")
        elif TABLE_ROW.match(raw):
            if kind != "table":
                start("table")
            out.append(raw.strip())
        else:
            text = text_fixes(raw)
            if not out:
                text = ANSWER_LABEL.sub("", text, count=1)
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
    if len(rest.split()) < 5 or not re.search(r"[.!][*_\s]*$", rest) or (first and first.group(0).lower() in ASKING_OPENERS):
        return None
    return rest

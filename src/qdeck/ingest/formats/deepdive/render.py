"""Turn a deep-dive answer's blocks and follow-up items into the text a card shows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_QUOTED = re.compile(r"^[“\"](?P<q>.*?)[”“\"]\s*(?:\((?P<hint>.*)\))?\s*$", re.DOTALL)


@dataclass
class Block:
    """One markdown block of an answer: a paragraph, a list item or a code block."""

    kind: str  # para | bullet | numbered | code
    text: str = ""
    code: list[str] = field(default_factory=list)



def split_follow_up(text: str) -> tuple[str, str]:
    """A follow-up item's question (without its curly quotes) and its parenthetical hint."""
    text = " ".join(text.split())
    quoted = _QUOTED.match(text)
    if quoted:
        return quoted.group("q").strip(), (quoted.group("hint") or "").strip()
    opening = _final_parenthetical(text)
    if opening is None:
        return text, ""
    return text[:opening].strip(), text[opening + 1 : -1].strip()


def _final_parenthetical(text: str) -> int | None:
    """Where the "(...)" that ends the text opens, if it ends with one and has words before."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return i if text[:i].strip() else None
    return None


def render(blocks: list[Block]) -> str:
    """Blocks as the markdown subset: list items stay adjacent, other blocks get a blank line."""
    out: list[str] = []
    previous = ""
    for block in blocks:
        if block.kind == "code":
            code = _trim_blank(block.code)
            if code:
                out.append("```python\n" + "\n".join(code) + "\n```")
            previous = "code"
            continue
        line = f"- {block.text}" if block.kind == "bullet" else block.text
        if block.kind in ("bullet", "numbered") and block.kind == previous and out:
            out[-1] += "\n" + line
        else:
            out.append(line)
        previous = block.kind
    return "\n\n".join(out)


def _trim_blank(code: list[str]) -> list[str]:
    first = next((i for i, line in enumerate(code) if line.strip()), len(code))
    last = next((i for i in range(len(code) - 1, -1, -1) if code[i].strip()), -1)
    return code[first : last + 1]

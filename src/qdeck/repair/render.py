"""Write a segmented bullet back as text, code wrapped in backticks."""

from __future__ import annotations


_NO_SPACE_BEFORE_CODE = frozenset("([{/‘“'\"")
_NO_SPACE_AFTER_CODE = frozenset(".,;:!?)]}/’'\"-")


def wrap_code(code: str) -> str:
    return f"`` {code} ``" if "`" in code else f"`{code}`"


def render_bullet(segments: list[tuple[str, str]]) -> str:
    out, previous = "", ""
    for kind, text in segments:
        piece = wrap_code(text.strip()) if kind == "code" else " ".join(text.split())
        if not piece:
            continue
        if out:
            needs_space = True
            if kind == "code" and previous == "prose":
                needs_space = out[-1] not in _NO_SPACE_BEFORE_CODE
            elif kind == "prose" and previous == "code":
                needs_space = piece[0] not in _NO_SPACE_AFTER_CODE
            out += " " if needs_space else ""
        out += piece
        previous = kind
    return out



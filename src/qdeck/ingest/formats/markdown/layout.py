"""Which lines of a markdown list are its questions: headings, numbered lines or list items."""

from __future__ import annotations

from qdeck.ingest.formats.markdown.lines import asks, label_question, list_question, read_heading, split_number

Layout = tuple[str, int]  # ("heading", level) | ("titles", level) | ("line", 0) | ("list", 0)
_PREFERENCE = ("titles", "list", "line", "heading")  # on a tie, the later kind wins


def detect_layout(lines: list[str], roles: dict[int, str]) -> Layout | None:
    """Which lines are the questions: the kind of line that asks the most questions.

    Ties go to headings, then numbered lines, then list items; `("titles", n)` (every
    level-n heading is a question) only wins when no numbered kind asks as many.
    """
    found: dict[Layout, list[str]] = {}
    for i, raw in enumerate(lines):
        if i in roles or not raw.strip():
            continue
        heading = read_heading(raw)
        if heading is not None:
            level, text = heading
            if not text:
                continue
            numbered = split_number(text)
            if numbered is not None:
                found.setdefault(("heading", level), []).append(numbered[1])
            found.setdefault(("titles", level), []).append(text)
            continue
        for kind, match in (("line", label_question), ("list", list_question)):
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


def is_question(raw: str, layout: Layout) -> tuple[str, str, str] | None:
    kind, level = layout
    if kind == "line":
        return label_question(raw)
    if kind == "list":
        return list_question(raw)
    heading = read_heading(raw)
    if heading is None or heading[0] != level or not heading[1]:
        return None
    if kind == "titles":
        return "", heading[1], ""
    numbered = split_number(heading[1])
    return (*numbered, "") if numbered else None


def describe_layout(layout: Layout) -> str:
    kind, level = layout
    return {"heading": f"numbered level-{level} headings", "titles": f"level-{level} headings",
            "line": "numbered lines", "list": "numbered list items"}[kind]

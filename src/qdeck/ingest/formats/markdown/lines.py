"""What one markdown line is: a heading, a numbered question, a list item, or markup to skip."""

from __future__ import annotations

import re

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)[^`]*$")
HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*#*[ \t]*$")
# A number as lists print it: "12.", "12)", "12-", "Q12:", "Question 12 -", "2.3", "4️⃣".
NUMBER = re.compile(
    r"^(?:(?:Q(?:uestion)?|No)\s*\.?\s*(?P<qnum>\d+(?:\.\d+)*)\s*[.):\-–—]?"
    r"|(?P<dotted>\d+(?:\.\d+)+)\s*[.):\-–—]?"
    r"|(?P<num>\d+)(?:\ufe0f?\u20e3\s*[.):\-–—]?|\s*[.):]|\s*[-–—](?=\s)))\s*(?P<text>[^\s.:)].*)$",
    re.IGNORECASE,
)
LIST_ITEM = re.compile(r"^(?P<indent> {0,3})(?P<num>\d{1,4})[.)][ \t]+(?P<text>\S.*)$")
BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*+•][ \t]+(?P<text>\S.*)$")
ORDERED = re.compile(r"^(?P<indent>[ \t]*)(?P<num>\d{1,9})[.)][ \t]+(?P<text>\S.*)$")
SEPARATOR = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|={3,})$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# Tags alone, a comment, an anchor, or the label of a collapsed block (<summary>Answer</summary>).
MARKUP = re.compile(
    r"^\s*(?:<!--.*-->|(?:</?[A-Za-z][^>]*>\s*)+|\{#[^}]*\}|(?:<details>\s*)?<summary>.*</summary>)\s*$",
    re.IGNORECASE,
)
IMAGE = re.compile(r"^\s*(?:\[\s*)?!\[[^\]]*\]\([^)]*\)(?:\s*\]\([^)]*\))?\s*$")
# "[Back to top](#contents)", "- [What is X?](#1-what-is-x)": links within the page.
ANCHOR_LINK = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*)?\[[^\]]*\]\(#[^)]*\)(?:\*\*)?\s*$")
BOLD_LINE = re.compile(r"^\s*(?P<m>\*\*|__)(?P<inner>.+?)(?P=m)(?P<rest>.*)$")
MARK = r"(?:\*\*|__|\*|_)"
# "**Ans:**", "**Answer**:", "_Answer_", "Answer:", "Ans -", "A:" opening an answer.
ANSWER_LABEL = re.compile(
    rf"^(?:{MARK}(?:Ans(?:wer)?|A)\s*[:.]?\s*{MARK}\s*[:.\-–—]?|Ans(?:wer)?\s*(?:[:.]|\s[-–—])|A:)\s*",
    re.IGNORECASE,
)
# The same label inside a question line: "Q1. What is X? **Ans:** X is ...".
GLUED_LABEL = re.compile(rf"\s+{MARK}?Ans(?:wer)?\s*(?::\s*{MARK}?|{MARK}\s*:)\s*", re.IGNORECASE)
TRIPLE_SPAN = re.compile(r"```([^`\n]+?)```")
QUESTION_WORDS = frozenset(
    "what what's whats how why when where which who whom whose is are was were can could do does did "
    "should would will shall may might explain describe define write implement compare contrast "
    "differentiate distinguish list name give mention tell discuss demonstrate show create design "
    "find difference differences".split()
)
# A sentence after the question that does not start another question or task.
ASKING_OPENERS = QUESTION_WORDS | frozenset("also and or provide illustrate e.g. eg for".split())


def asks(text: str) -> bool:
    """Whether a heading or item reads as an interview question.

    >>> asks("What is a **decorator**?"), asks("Explain the GIL."), asks("Python Basics")
    (True, True, False)
    """
    plain = re.sub(r"[*_`]", "", text).strip()
    if plain.rstrip(")").endswith("?"):
        return True
    first = re.match(r"[A-Za-z']+", plain)
    return bool(first) and first.group(0).lower() in QUESTION_WORDS


def split_number(text: str) -> tuple[str, str] | None:
    """The printed number of a question line and its text, or None when it has none.

    >>> split_number("Q12: What is PEP 8?"), split_number("2.3 Why tuples?")
    (('12', 'What is PEP 8?'), ('2.3', 'Why tuples?'))
    >>> split_number("4\\ufe0f\\u20e3 What is a set?"), split_number("7- Why?"), split_number("3 ways to sort")
    (('4', 'What is a set?'), ('7', 'Why?'), None)
    """
    m = NUMBER.match(text.strip())
    if m is None:
        return None
    return m.group("qnum") or m.group("dotted") or m.group("num"), m.group("text").strip()


def _unbold(text: str) -> str:
    """A heading's text without bold wrapped round all of it.

    >>> _unbold("**1. What is X?**")
    '1. What is X?'
    """
    m = BOLD_LINE.match(text)
    return m.group("inner").strip() if m and not m.group("rest").strip() else text.strip()


def read_heading(raw: str) -> tuple[int, str] | None:
    m = HEADING.match(raw)
    if m is None:
        return None
    return len(m.group("hashes")), _unbold(m.group("text") or "")


def label_question(raw: str) -> tuple[str, str, str] | None:
    """A numbered question on a line of its own: (number, text, answer text glued after it)."""
    m = BOLD_LINE.match(raw)
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


def list_question(raw: str) -> tuple[str, str, str] | None:
    m = LIST_ITEM.match(raw)
    if m is None or len(m.group("indent")) > 1 or ANCHOR_LINK.match(raw):
        return None
    return m.group("num"), m.group("text").strip(), ""

"""Sort the lines of a deep-dive answer by the signs each shows on its own: prose, list item or code."""

from __future__ import annotations

import re

from qdeck.ingest.formats.deepdive.glue import LABELS

BULLET = re.compile(r"^\s*[•●▪◦]\s*(?P<text>.*)$")
NUMBERED = re.compile(r"^ {0,3}(?P<num>\d{1,3})[.)]\s+(?P<text>\S.*)$")

# Compound statements end with ':' too, so they are not labels.
_COMPOUND = re.compile(r"^(?:class|def|async|if|elif|else|for|while|with|try|except|finally|match|case)\b")
_KEYWORD = re.compile(
    r"^(?:import|from|def|class|async|await|return|raise|del|pass|if|elif|else|for|while|with|try"
    r"|except|finally|yield|match|case|global|nonlocal|assert|lambda|print)(?=[\s(:]|$)"
)
_DECORATOR = re.compile(r"^@[\w.]+")
_SYMBOL_START = re.compile(r"^(?:[\[\]{}()<\"'`]|//|\.\.\.|>>>|\$ )")
_TRAILING_COMMENT = re.compile(r"\S(?:\s{2,}#|\s#\s)")
_SENTENCE_END = re.compile(r"[^\s.][.!?][”’\")]*$")
_STRINGS = re.compile(r"\"[^\"]*\"|'[^']*'")
_PROSE_MARKS = re.compile(r"[“”’‘—]")
# Weak signs of code: enough to continue a block, or to open one after a label.
_ASSIGNMENT = re.compile(
    r"^[A-Za-z_][\w.]*(?:\[[^\]]*\])*\s*(?::\s*[^=]+?)?\s*(?:[-+*/|&%^@]|//|\*\*|<<|>>)?=(?!=)\s*\S"
)
_CALL = re.compile(r"^[A-Za-z_][\w.]*[(\[].*[)(\[\]{},:;\\]$")
_SHELL = re.compile(
    r"^(?:pip3?|python3?|uvx?|poetry|gunicorn|uvicorn|hypercorn|daphne|celery|kernprof|py-spy|pytest"
    r"|mypy|ruff|docker|curl|export|FROM|COPY|RUN|CMD|ENV|WORKDIR|EXPOSE|ENTRYPOINT|ARG)\s"
)


def classify(raw: str) -> str:
    """Sort one body line by the signs it shows on its own.

    bullet, numbered, code and para are decided; weak (an assignment, a call, a shell
    command) and plain (no sign at all) are left to the answer reader, which knows the context.
    The scrape kept code as bare lines, so signs are all there is to go on.
    """
    if not raw.strip():
        return "blank"
    if BULLET.match(raw):
        return "bullet"
    if NUMBERED.match(raw):
        return "numbered"
    if raw[:1] == "\t" or raw.startswith("    "):
        return "code"
    text = raw.strip()
    if text.startswith("#"):
        return "code"
    if re.search(rf"{LABELS}:", text):
        return "para"
    if _TRAILING_COMMENT.search(text):
        return "code"
    if text.endswith(":") and not _COMPOUND.match(text):
        return "para"
    if _KEYWORD.match(text) or _DECORATOR.match(text) or _SYMBOL_START.match(text):
        return "code"
    if _SENTENCE_END.search(text) or _PROSE_MARKS.search(_STRINGS.sub("", text)):
        return "para"
    if _ASSIGNMENT.match(text) or _CALL.match(text) or _SHELL.match(text):
        return "weak"
    return "plain"


def code_follows(kinds: list[str]) -> list[bool]:
    """For each line: is the next line that is neither blank nor weak a code line?"""
    result = [False] * len(kinds)
    following_is_code = False
    for i in range(len(kinds) - 1, -1, -1):
        result[i] = following_is_code
        if kinds[i] not in ("blank", "weak"):
            following_is_code = kinds[i] == "code"
    return result


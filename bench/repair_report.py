"""Measure qdeck.repair on a scraped answer file: bullets, code spans, suspicious spans.

Usage: python bench/repair_report.py [path/to/answered.txt]

Each suspicious span is printed with its question number so a person can look
at it; the counts at the end are the numbers to compare between versions.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from qdeck.repair import repair_answer
from qdeck.repair.glue import glued_to_english
from qdeck.repair.prose import prose_word_cost
from qdeck.repair.shapes import DUNDER
from qdeck.repair.vocabulary import is_english, is_known_code, word_zipf

DEFAULT_SOURCE = Path(__file__).resolve().parents[1] / "data" / "sources" / "answered-200.txt"
QUESTION = re.compile(r"^Q(\d+)\.\s")
CODE_SPAN = re.compile(r"``\s(.+?)\s``|`([^`]+)`")


def read_answers(path: Path) -> list[tuple[str, list[str]]]:
    """(question number, raw answer lines) for every Q<n>. line in the file."""
    answers: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = QUESTION.match(line)
        if match:
            answers.append((match.group(1), []))
        elif answers:
            answers[-1][1].append(line)
    return answers


def code_spans(bullet: str) -> list[str]:
    return [double or single for double, single in CODE_SPAN.findall(bullet)]


def prose_of(bullet: str) -> str:
    return CODE_SPAN.sub(" ", bullet)


def top_level_commas(span: str) -> int:
    """Commas and semicolons outside brackets and quotes: "a, b" lists spans, it is not one."""
    depth, quote, count = 0, "", 0
    for char in span:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char in ",;" and depth <= 0:
            count += 1
    return count


def bracket_imbalance(span: str) -> int:
    return sum(abs(span.count(open_) - span.count(close)) for open_, close in ("()", "[]", "{}"))


def suspicious_code(span: str) -> str | None:
    """Why a code span looks wrong, or None."""
    names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span)
    if re.fullmatch(r"[a-z]{2,}", span) and is_english(span) \
            and not is_known_code(span):
        return "plain English word"
    if any(glued_to_english(name.strip("_")) for name in names
           if not is_known_code(name) and not DUNDER.fullmatch(name)):
        return "name glued to English"
    if re.search(r"[.!?]\s", span) or top_level_commas(span):
        return "sentence punctuation inside"
    if bracket_imbalance(span):
        return "unbalanced brackets"
    return None


def suspicious_prose(bullet: str) -> list[tuple[str, str]]:
    """(word, reason) for prose words that still look glued to code.

    Only bullets where code was found are checked: a bullet without any had
    no line break in the scrape, so its text is the source's own wording.
    """
    found: list[tuple[str, str]] = []
    if not code_spans(bullet):
        return found
    for word in prose_of(bullet).split():
        core = word.strip(".,;:!?()[]\"'’")
        if not core:
            continue
        if "_" in core or re.search(r"\w\(\)|[=@*<>|&]", core):
            found.append((word, "code characters in prose"))
        elif re.fullmatch(r"[a-z]+[A-Z]\w*", core) and word_zipf(core) == 0:
            found.append((word, "lowercase word glued to a name"))
        elif re.search(r"[a-z][.,;:][A-Za-z]", core) and not re.search(r"\b\w\.\w\.", word):
            found.append((word, "punctuation glued inside a word"))
        elif core.isalpha() and core.islower() and len(core) > 6 \
                and word_zipf(core) == 0 and prose_word_cost(core) < -12:
            found.append((word, "unknown word (glue?)"))
    return found


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    answers = read_answers(source)
    started = time.perf_counter()
    repaired = [(number, repair_answer(lines)) for number, lines in answers]
    elapsed = time.perf_counter() - started
    bullets = spans = 0
    suspicious: list[tuple[str, str, str]] = []
    for number, answer in repaired:
        for bullet in answer:
            bullets += 1
            for span in code_spans(bullet):
                spans += 1
                reason = suspicious_code(span)
                if reason:
                    suspicious.append((number, f"`{span}`", reason))
            suspicious.extend((number, word, reason) for word, reason in suspicious_prose(bullet))
    for number, what, reason in suspicious:
        print(f"Q{number}: {what}  ({reason})")
    print(f"answers: {len(answers)}")
    print(f"bullets: {bullets}")
    print(f"code spans: {spans}")
    print(f"suspicious: {len(suspicious)}")
    print(f"seconds: {elapsed:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

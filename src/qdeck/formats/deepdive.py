"""Parse a deep-dive page: long answers whose titles were lost, with red flags and numbered follow-ups.

The page is a scrape, so paragraph breaks were lost in places: labels such as
`Follow-up:` or `Reference Counting Example:` are often glued onto the end of the
previous sentence, and code blocks are bare lines with their indentation. Every
non-blank line from an `Answer:` line up to the next answer or section heading belongs
to that answer or its follow-ups (`Parsed.consumed`); any other line is a heading or a
skipped line.

The question titles come from a YAML file (option `titles`) that maps each answer's
number, in file order, to a question written for it.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping


from qdeck import config
from qdeck.config.schema import TitlesFile
from qdeck.errors import InputError
from qdeck.formats.common import Ledger
from qdeck.models import Parsed, Question
from qdeck.normalize import clean_heading

_ANSWER = re.compile(r"^Answer:\s*")
_TESTS = re.compile(r"^What interviewers are (?:really )?testing:\s*", re.IGNORECASE)
_HEADING = re.compile(r"^\d{1,2}\.\s+\S")
_BULLET = re.compile(r"^\s*[•●▪◦]\s*(?P<text>.*)$")
_NUMBERED = re.compile(r"^ {0,3}(?P<num>\d{1,3})[.)]\s+(?P<text>\S.*)$")

_LABELS = r"(?:Red flag answer|Red flag|Follow-ups?)"
_RED_FLAG = re.compile(r"^(?:Red flag answer|Red flag):\s*", re.IGNORECASE)
_FOLLOW_UP = re.compile(r"^Follow-ups?:\s*", re.IGNORECASE)
# A known label glued to the previous sentence, with or without a space between.
_LABEL_GLUE = re.compile(rf"(?:(?<=\S)|(?<=[.!?”)]\s)){_LABELS}:")
# A sentence end with the next paragraph glued straight on: "memory.Follow", "scale?”All".
_SENTENCE_GLUE = re.compile(r"(?<=\S)[”’\")]*[.!?]+[”’\")]*(?=[A-Z“])")
# "...-> objectWhy super() matters here: ...": a label glued onto a "Label: text" paragraph.
_CAMEL_LABEL = re.compile(r"(?<=[a-z)])(?=[A-Z][a-z]+(?: [^\s:.!?]+){0,6}:(?:\s|$))")
# "...is atomic.await means: ...": a paragraph that opens with a keyword or a module name.
_LOWER_GLUE = re.compile(r"(?<=[a-z]{3})\.(?=(?P<word>[a-z]+)[ .])")

# Module names that are also everyday words end sentences ("unreadable code.Anonymous"),
# so only the others mark "asyncio.TaskGroup" as a dotted name rather than a glue point.
_WORDLIKE_MODULES = frozenset(
    "array bisect calendar chunk cmd code copy email glob html http inspect keyword math numbers "
    "operator platform profile queue random resource secrets select shelve signal site stat "
    "statistics string struct this time token trace types warnings wave xml".split()
)
_MODULES = frozenset(sys.stdlib_module_names) - _WORDLIKE_MODULES
_PARAGRAPH_OPENERS = _MODULES | frozenset(keyword.kwlist)

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

_FOLLOW_UP_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]\s+|[•●▪◦]\s*|[-*]\s+)(?P<text>.*)$")
_QUOTED = re.compile(r"^[“\"](?P<q>.*?)[”“\"]\s*(?:\((?P<hint>.*)\))?\s*$", re.DOTALL)


def parse(lines: list[str], spec: Any) -> Parsed:
    """Parse a deep-dive page; titles come from the YAML file in `spec.options["titles"]`.

    Never raises on the page text itself; only an unusable titles file is an InputError.
    """
    titles_path, titles = _load_titles(spec)
    ledger = Ledger(spec.name)
    used: set[int] = set()
    for answer in _answers(lines, ledger):
        number = len(used) + 1
        used.add(number)
        title = titles.get(number)
        if title is None:
            title = f"(untitled answer {number})"
            ledger.warnings.append(
                f"{spec.name}#{number}: no title in {titles_path.name} (answer at line {answer.line}); "
                "add one there"
            )
        ledger.questions.extend(answer.questions(spec.name, number, title, ledger.warnings))
    for number in sorted(set(titles) - used):
        ledger.warnings.append(f"{titles_path.name}: title {number} matches no answer in {spec.name}")
    return ledger.result()


# --- titles ---------------------------------------------------------------------------


def _load_titles(spec: Any) -> tuple[Path, dict[int, str]]:
    options: Mapping[str, Any] = getattr(spec, "options", None) or {}
    if not options.get("titles"):
        raise InputError(f"source {spec.name!r}: the deep-dive format needs a `titles:` option naming its titles file")
    path = Path(options["titles"])
    titles = config.load(path, TitlesFile, what="the titles file", empty={},
                         missing="titles file not found; write it or fix `titles:` in data/sources.yaml")
    return path, {number: " ".join(title.split()) for number, title in titles.items()}


# --- page structure -------------------------------------------------------------------


@dataclass
class _Block:
    """One markdown block of an answer: a paragraph, a list item or a code block."""

    kind: str  # para | bullet | numbered | code
    text: str = ""
    code: list[str] = field(default_factory=list)


@dataclass
class _FollowUp:
    line: int
    parts: list[str]


@dataclass
class _Answer:
    line: int
    section: str | None
    tests: str = ""
    body: list[_Block] = field(default_factory=list)
    red_flag: list[_Block] = field(default_factory=list)
    follow_ups: list[_FollowUp] = field(default_factory=list)

    def questions(self, source: str, number: int, title: str, warnings: list[str]) -> list[Question]:
        ref = f"{source}#{number}"
        main = Question(
            ref=ref,
            source=source,
            number=str(number),
            text=title,
            line=self.line,
            answer=_render(self.body),
            section=self.section,
            tests=self.tests,
            red_flag=_render(self.red_flag),
        )
        follow_ups: list[Question] = []
        for item in self.follow_ups:
            text, hint = _split_follow_up(" ".join(item.parts))
            if not text:
                warnings.append(f"{ref}: follow-up at line {item.line} has no question; left out")
                continue
            k = len(follow_ups) + 1
            follow_ups.append(
                Question(
                    ref=f"{ref}.{k}",
                    source=source,
                    number=f"{number}.{k}",
                    text=text,
                    line=item.line,
                    answer=hint,
                    section=self.section,
                    follow_up_of=ref,
                )
            )
        return [main, *follow_ups]


def _is_heading(lines: list[str], i: int) -> bool:
    """A section title is a bare "N. Title" line standing between blank lines."""
    if not _HEADING.match(lines[i]):
        return False
    before_blank = i == 0 or not lines[i - 1].strip()
    after_blank = i == len(lines) - 1 or not lines[i + 1].strip()
    return before_blank and after_blank


def _answers(lines: list[str], ledger: Ledger) -> list[_Answer]:
    """Split the page into answers; headings and stray lines go to the ledger."""
    answers: list[_Answer] = []
    section: str | None = None
    start: int | None = None
    seen_structure = False

    def close(end: int) -> None:
        if start is not None:
            answers.append(_parse_answer(lines, start, end, section))

    for i, raw in enumerate(lines):
        if _ANSWER.match(raw):
            close(i)
            start, seen_structure = i, True
            ledger.take(i + 1)
        elif _is_heading(lines, i):
            close(i)
            start, seen_structure = None, True
            section = clean_heading(raw) or raw.strip()
            ledger.headings.append(i + 1)
        elif not raw.strip():
            continue
        elif start is not None:
            ledger.take(i + 1)
        else:
            reason = "text outside any answer" if seen_structure else "page boilerplate before the first section"
            ledger.skip(i + 1, raw, reason)
    close(len(lines))
    return answers


# --- one answer -----------------------------------------------------------------------


class _Reader:
    """Walks one answer's lines: tests paragraph, body, red flag, then follow-ups."""

    def __init__(self, answer: _Answer) -> None:
        self.answer = answer
        self.state = "body"  # body | red | follow
        self.last_was_code = False
        self.code_may_open = True  # at the start of the body, or after a "Label:" line

    @property
    def blocks(self) -> list[_Block]:
        return self.answer.red_flag if self.state == "red" else self.answer.body

    def prose(self, line: int, kind: str, text: str) -> None:
        """Add one prose line, split where paragraphs were glued together."""
        self.add(line, kind, _split_glued(text))

    def add(self, line: int, kind: str, segments: list[str]) -> None:
        for i, segment in enumerate(segments):
            self.segment(line, kind if i == 0 else "para", segment)
        if segments:
            self.last_was_code = False
            self.code_may_open = segments[-1].endswith(":")

    def segment(self, line: int, kind: str, text: str) -> None:
        if self.state == "follow":
            self.follow_up_line(line, text)
            return
        follow = _FOLLOW_UP.match(text)
        if follow:
            self.state = "follow"
            rest = text[follow.end() :].strip()
            if rest:  # "Follow-up: “...”" on one line
                self.answer.follow_ups.append(_FollowUp(line, [rest]))
            return
        red = _RED_FLAG.match(text)
        if red:
            self.state = "red"
            text = text[red.end() :]
            if not text.strip():
                return
        self.blocks.append(_Block(kind, text.strip()))

    def code(self, raw: str) -> None:
        blocks = self.blocks
        if not blocks or blocks[-1].kind != "code":
            blocks.append(_Block("code"))
        blocks[-1].code.append(raw.rstrip())
        self.last_was_code = True

    def blank(self) -> None:
        # Blank lines only matter inside code; trailing ones are trimmed when rendering.
        blocks = self.blocks
        if self.last_was_code and blocks and blocks[-1].kind == "code":
            blocks[-1].code.append("")

    def follow_up_line(self, line: int, text: str) -> None:
        item = _FOLLOW_UP_ITEM.match(text)
        if item or text.lstrip().startswith(("“", '"')) or not self.answer.follow_ups:
            self.answer.follow_ups.append(_FollowUp(line, [(item.group("text") if item else text).strip()]))
        else:  # a wrapped follow-up continues on this line
            self.answer.follow_ups[-1].parts.append(text.strip())


def _parse_answer(lines: list[str], start: int, end: int, section: str | None) -> _Answer:
    answer = _Answer(line=start + 1, section=section)
    reader = _Reader(answer)
    first = _ANSWER.sub("", lines[start], count=1)
    tests = _TESTS.match(first)
    segments = _split_glued(first[tests.end() :] if tests else first)
    if tests and segments and not _RED_FLAG.match(segments[0]) and not _FOLLOW_UP.match(segments[0]):
        answer.tests = segments.pop(0)  # whatever was glued on after it starts the body
    reader.add(start + 1, "para", segments)
    kinds = [_classify(line) for line in lines[start + 1 : end]]
    for i, kind, leads_into_code in zip(range(start + 1, end), kinds, _leads_into_code(kinds)):
        raw = lines[i]
        if kind == "blank":
            reader.blank()
            continue
        if reader.state == "follow":
            reader.follow_up_line(i + 1, raw)
            continue
        if kind in ("weak", "plain"):
            kind = _resolve(kind, reader, leads_into_code)
        if kind == "code":
            reader.code(raw)
        elif kind == "numbered":
            match = _NUMBERED.match(raw)
            reader.prose(i + 1, kind, f"{match.group('num')}. {match.group('text')}")
        elif kind == "bullet":
            reader.prose(i + 1, kind, _BULLET.match(raw).group("text"))
        elif kind == "para":
            reader.prose(i + 1, kind, raw.strip())
    return answer


def _classify(raw: str) -> str:
    """Sort one body line by the signs it shows on its own.

    bullet, numbered, code and para are decided; weak (an assignment, a call, a shell
    command) and plain (no sign at all) are left to `_resolve`, which knows the context.
    The scrape kept code as bare lines, so signs are all there is to go on.
    """
    if not raw.strip():
        return "blank"
    if _BULLET.match(raw):
        return "bullet"
    if _NUMBERED.match(raw):
        return "numbered"
    if raw[:1] == "\t" or raw.startswith("    "):
        return "code"
    text = raw.strip()
    if text.startswith("#"):
        return "code"
    if re.search(rf"{_LABELS}:", text):
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


def _leads_into_code(kinds: list[str]) -> list[bool]:
    """For each line: is the next line that is neither blank nor weak a code line?"""
    result = [False] * len(kinds)
    following_is_code = False
    for i in range(len(kinds) - 1, -1, -1):
        result[i] = following_is_code
        if kinds[i] not in ("blank", "weak"):
            following_is_code = kinds[i] == "code"
    return result


def _resolve(kind: str, reader: _Reader, leads_into_code: bool) -> str:
    """Decide a line the line alone could not: code continues, and a weak line opens code
    after a label ("Example:") or when the run of weak lines it starts leads into code
    ("balance = 100" just before "async def withdraw():")."""
    if reader.last_was_code:
        return "code"
    if kind == "plain":
        return "para"
    return "code" if reader.code_may_open or leads_into_code else "para"


# --- glued paragraphs -----------------------------------------------------------------


def _split_glued(text: str) -> list[str]:
    """Split a scraped line where paragraphs were glued together.

    >>> _split_glued("war stories about memory.Follow-up:")
    ['war stories about memory.', 'Follow-up:']
    >>> _split_glued("Use asyncio.TaskGroup (3.11+).Key limitations:")
    ['Use asyncio.TaskGroup (3.11+).', 'Key limitations:']
    """
    parts: list[str] = []
    for chunk in _split_at(text, [m.start() for m in _LABEL_GLUE.finditer(text)]):
        for piece in _split_at(chunk, _sentence_glue_points(chunk)):
            parts.extend(_split_at(piece, _camel_label_points(piece)))
    return [p.strip() for p in parts if p.strip()]


def _split_at(text: str, points: list[int]) -> list[str]:
    bounds = [0, *points, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:]) if a < b]


def _sentence_glue_points(text: str) -> list[int]:
    upper = [m.end() for m in _SENTENCE_GLUE.finditer(text) if not _is_dotted_name(text, m)]
    lower = [m.end() for m in _LOWER_GLUE.finditer(text) if _opens_paragraph(text, m)]
    return sorted(upper + lower)


def _opens_paragraph(text: str, match: re.Match[str]) -> bool:
    """True for "atomic.await": a plain word ends the sentence, a keyword or module opens the next."""
    left = re.search(r"[\w.]*$", text[: match.start()]).group()
    plain_word = left.isalpha() and left.islower() and left not in _MODULES
    return plain_word and match.group("word") in _PARAGRAPH_OPENERS


def _is_dotted_name(text: str, match: re.Match[str]) -> bool:
    """True for "asyncio.TaskGroup" or "Status.ACTIVE": a name, not a sentence end."""
    if match.group() != ".":
        return False
    left = re.search(r"[A-Za-z_][\w.]*$", text[: match.start()])
    right = re.match(r"[A-Za-z_]\w*", text[match.end() :])
    if not left or not right:
        return False
    if left.group().split(".")[0] in _MODULES:
        return True
    after = text[match.end() + right.end() : match.end() + right.end() + 2]
    all_caps = right.group().isupper() and len(right.group()) > 1
    starts_sentence = len(after) == 2 and after[0] == " " and after[1].isupper()
    return all_caps and left.group()[0].isupper() and not starts_sentence


def _camel_label_points(text: str) -> list[int]:
    # Only after a "Label: text" paragraph, so "IntEnum vs Enum:" stays whole.
    return [m.start() for m in _CAMEL_LABEL.finditer(text) if ": " in text[: m.start()]]


# --- follow-ups and rendering ---------------------------------------------------------


def _split_follow_up(text: str) -> tuple[str, str]:
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


def _render(blocks: list[_Block]) -> str:
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

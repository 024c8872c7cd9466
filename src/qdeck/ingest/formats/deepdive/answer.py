"""Read one deep-dive answer: what is tested, the body, the red flag, and the numbered follow-ups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qdeck.ingest.formats.deepdive.glue import split_glued
from qdeck.ingest.formats.deepdive.lines import BULLET, NUMBERED, classify, code_follows
from qdeck.ingest.formats.deepdive.render import Block, render, split_follow_up
from qdeck.models import Question

ANSWER = re.compile(r"^Answer:\s*")
_TESTS = re.compile(r"^What interviewers are (?:really )?testing:\s*", re.IGNORECASE)
_RED_FLAG = re.compile(r"^(?:Red flag answer|Red flag):\s*", re.IGNORECASE)
_FOLLOW_UP = re.compile(r"^Follow-ups?:\s*", re.IGNORECASE)
_FOLLOW_UP_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]\s+|[•●▪◦]\s*|[-*]\s+)(?P<text>.*)$")


@dataclass
class FollowUp:
    line: int
    parts: list[str]


@dataclass
class Answer:
    line: int
    section: str | None
    tests: str = ""
    body: list[Block] = field(default_factory=list)
    red_flag: list[Block] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    def questions(self, source: str, number: int, title: str, warnings: list[str]) -> list[Question]:
        ref = f"{source}#{number}"
        main = Question(
            ref=ref,
            source=source,
            number=str(number),
            text=title,
            line=self.line,
            answer=render(self.body),
            section=self.section,
            tests=self.tests,
            red_flag=render(self.red_flag),
        )
        follow_ups: list[Question] = []
        for item in self.follow_ups:
            text, hint = split_follow_up(" ".join(item.parts))
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


class _Reader:
    """Walks one answer's lines: tests paragraph, body, red flag, then follow-ups."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.state = "body"  # body | red | follow
        self.last_was_code = False
        self.code_may_open = True  # at the start of the body, or after a "Label:" line

    @property
    def blocks(self) -> list[Block]:
        return self.answer.red_flag if self.state == "red" else self.answer.body

    def prose(self, line: int, kind: str, text: str) -> None:
        """Add one prose line, split where paragraphs were glued together."""
        self.add(line, kind, split_glued(text))

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
                self.answer.follow_ups.append(FollowUp(line, [rest]))
            return
        red = _RED_FLAG.match(text)
        if red:
            self.state = "red"
            text = text[red.end() :]
            if not text.strip():
                return
        self.blocks.append(Block(kind, text.strip()))

    def code(self, raw: str) -> None:
        blocks = self.blocks
        if not blocks or blocks[-1].kind != "code":
            blocks.append(Block("code"))
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
            self.answer.follow_ups.append(FollowUp(line, [(item.group("text") if item else text).strip()]))
        else:  # a wrapped follow-up continues on this line
            self.answer.follow_ups[-1].parts.append(text.strip())


def parse_answer(lines: list[str], start: int, end: int, section: str | None) -> Answer:
    answer = Answer(line=start + 1, section=section)
    reader = _Reader(answer)
    first = ANSWER.sub("", lines[start], count=1)
    tests = _TESTS.match(first)
    segments = split_glued(first[tests.end() :] if tests else first)
    if tests and segments and not _RED_FLAG.match(segments[0]) and not _FOLLOW_UP.match(segments[0]):
        answer.tests = segments.pop(0)  # whatever was glued on after it starts the body
    reader.add(start + 1, "para", segments)
    kinds = [classify(line) for line in lines[start + 1 : end]]
    for i, kind, leads_into_code in zip(range(start + 1, end), kinds, code_follows(kinds)):
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
            match = NUMBERED.match(raw)
            reader.prose(i + 1, kind, f"{match.group('num')}. {match.group('text')}")
        elif kind == "bullet":
            reader.prose(i + 1, kind, BULLET.match(raw).group("text"))
        elif kind == "para":
            reader.prose(i + 1, kind, raw.strip())
    return answer



def _resolve(kind: str, reader: _Reader, leads_into_code: bool) -> str:
    """Decide a line the line alone could not: code continues, and a weak line opens code
    after a label ("Example:") or when the run of weak lines it starts leads into code
    ("balance = 100" just before "async def withdraw():")."""
    if reader.last_was_code:
        return "code"
    if kind == "plain":
        return "para"
    return "code" if reader.code_may_open or leads_into_code else "para"

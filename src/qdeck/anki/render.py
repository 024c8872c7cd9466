"""A note's fields as the card shows them: every field rendered to escaped HTML, and hashes of what users see."""

from __future__ import annotations

import html
import unicodedata
from typing import Iterable, Sequence

from qdeck.anki.markdown import markdown
from qdeck.anki.notetype import FIELD_NAMES, digest
from qdeck.models import Answer, Note
from qdeck.parallel import SERIAL, Pool


def _nfc(text: str) -> str:
    # Anki normalizes imported fields to NFC; doing it here keeps ours equal to what it stores.
    return unicodedata.normalize("NFC", text)


def _single(text: str) -> str:
    """A short text (a question): inline when it is one paragraph, blocks otherwise."""
    rendered = markdown(text, mark=True)
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def _items(values: Iterable[str]) -> str:
    values = [v for v in values if v.strip()]
    if not values:
        return ""
    return "<ul>" + "".join(f"<li>{_single(v)}</li>" for v in values) + "</ul>"


# The labels of a deep-dive answer's parts. Card chrome, like "Also asked as" in the templates.
TESTS_LABEL = "What interviewers test"
RED_FLAG_LABEL = "Red flag"


def flat_answer(answers: Sequence[Answer]) -> str:
    """Every answer as one markdown text, fullest first, for the catalog, the lock and the tagger
    (a card labels each block itself).

    >>> flat_answer([Answer("s", "Lazily.", tests="Memory."), Answer("t", "Lazily.", tests="Memory.")])
    'What interviewers are really testing: Memory.\\n\\nLazily.'
    """
    texts = []
    for a in sorted(answers, key=lambda a: -len(a.text)):
        parts = [f"What interviewers are really testing: {a.tests}" if a.tests else "", a.text,
                 f"Red flag answer: {a.red_flag}" if a.red_flag else ""]
        texts.append("\n\n".join(p for p in parts if p))
    return "\n\n".join(dict.fromkeys(t for t in texts if t))


def _part(label: str, text: str, kind: str) -> str:
    return f'<div class="qd-part {kind}"><div class="qd-label">{label}</div>{markdown(text, mark=True)}</div>'


def answer_block(answer: Answer, title: str) -> str:
    """One source's answer: the list's title, then the answer, with the deep-dive parts labelled.

    >>> answer_block(Answer("s", "Use `yield`.", red_flag="Lists & all"), "My <list>")
    '<div class="qd-block"><div class="qd-source">My &lt;list&gt;</div><p>Use <code>yield</code>.</p><div \
class="qd-part qd-flag"><div class="qd-label">Red flag</div><p>Lists &amp; all</p></div></div>'
    """
    parts = [f'<div class="qd-source">{html.escape(title, quote=False)}</div>' if title else ""]
    if answer.tests:
        parts.append(_part(TESTS_LABEL, answer.tests, "qd-tests"))
    parts.append(markdown(answer.text, mark=True))
    if answer.red_flag:
        parts.append(_part(RED_FLAG_LABEL, answer.red_flag, "qd-flag"))
    return '<div class="qd-block">' + "".join(parts) + "</div>"


def _answer_fields(answers: tuple[Answer, ...], answer: str, titles: dict[str, str]) -> tuple[str, str]:
    """(Answer, More answers): the first block, then every other one."""
    if not answers:
        # A note rebuilt from the lock (retired) carries its answers as one text.
        return markdown(answer, mark=True), ""
    blocks = [answer_block(a, a.title or titles.get(a.source, a.source)) for a in answers]
    return blocks[0], "".join(blocks[1:])


def status_notice(note: Note) -> str:
    """The banner a retired or merged note shows; empty for an active note."""
    if note.status == "merged":
        target = html.escape(note.merged_into, quote=False)
        return (
            "Retired: this question was merged into another note. "
            f"Find it by searching <code>\"Note ID:{target}\"</code>; "
            "you can suspend or delete this one."
        )
    if note.status == "retired":
        return "Retired: this question is no longer in any source list. You can suspend or delete this note."
    return ""


def render_fields(note: Note) -> dict[str, str]:
    """Every field of the note type, in order, as escaped HTML (spare fields empty)."""
    return dict(_render(*_render_key(note)))


def _render_key(note: Note) -> tuple:
    return (note.question, note.answer, note.variants, note.follow_ups, note.code_tasks, note.tier, note.topics,
            note.sources, note.status, note.merged_into, note.guid, note.answers, note.source_titles)


# A note takes about 5 ms to render (Pygments, code marking), so forking workers pays off for a
# few hundred notes, not only for the pool's 20,000-item default.
RENDER_IN_WORKERS = 256


class Renderer:
    """One build's rendered fields, kept by every input they depend on (`mod` is not one).

    A build renders each note up to three times (its identity hash, the full deck, its tier's
    deck); the build makes one Renderer and hands it to identity and export, and drops it after.
    """

    def __init__(self, pool: Pool = SERIAL) -> None:
        self.pool = pool
        self._rendered: dict[tuple, tuple[tuple[str, str], ...]] = {}

    def _fields_of(self, key: tuple) -> tuple[tuple[str, str], ...]:
        fields = self._rendered.get(key)
        if fields is None:
            fields = self._rendered[key] = _render(*key)
        return fields

    def fields(self, note: Note) -> dict[str, str]:
        """`render_fields(note)`, rendered once per build."""
        return dict(self._fields_of(_render_key(note)))

    def content_hash(self, note: Note) -> str:
        return _hash_of(self._fields_of(_render_key(note)), note.tags)

    def content_hashes(self, notes: Sequence[Note]) -> list[str]:
        """`content_hash` of each note; a large build renders on forked workers and keeps the fields."""
        keys = [_render_key(n) for n in notes]
        todo = list(dict.fromkeys(key for key in keys if key not in self._rendered))
        rendered = self.pool.map(lambda key: _render(*key), todo, min_items=RENDER_IN_WORKERS, label="rendering cards")
        for key, fields in zip(todo, rendered):
            self._rendered[key] = fields
        return [_hash_of(self._fields_of(key), n.tags) for key, n in zip(keys, notes)]


def _render(question: str, answer: str, variants: tuple[str, ...], follow_ups: tuple[str, ...],
            code_tasks: tuple[str, ...], tier: str, topics: tuple[str, ...], sources: tuple[str, ...],
            status: str, merged_into: str, guid: str, answers: tuple[Answer, ...],
            source_titles: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    note = Note(key="", question=question, refs=(), answer=answer, variants=variants, follow_ups=follow_ups,
                code_tasks=code_tasks, tier=tier, topics=topics, sources=sources, status=status,
                merged_into=merged_into, guid=guid)
    first, more = _answer_fields(answers, answer, dict(zip(sources, source_titles)))
    fields = {
        "Question": _single(note.question),
        "Answer": first,
        "More answers": more,
        "Also asked as": _items(note.variants),
        "Follow-ups": _items(note.follow_ups),
        "Code task": "".join(markdown(t, mark=True) for t in note.code_tasks if t.strip()),
        "Tier": html.escape(note.tier, quote=False),
        "Topics": html.escape(", ".join(note.topics), quote=False),
        "Sources": html.escape(", ".join(note.sources), quote=False),
        "Status": status_notice(note),
        "Note ID": html.escape(note.guid, quote=False),
    }
    return tuple((name, _nfc(fields.get(name, ""))) for name in FIELD_NAMES)


def _hash_of(fields: tuple[tuple[str, str], ...], tags: Iterable[str]) -> str:
    return digest({"fields": [value for _, value in fields], "tags": sorted(set(tags))})


def content_hash(note: Note) -> str:
    """A digest of what the user sees of a note: its rendered fields and its tags."""
    return _hash_of(_render(*_render_key(note)), note.tags)

"""What a card shows: the note type's fields, templates and CSS, and the escaped HTML of each field."""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from qdeck.models import Answer, Note

# The note type's identity. Anki matches note types by id and fields/templates by their own
# ids, so these numbers are frozen forever: changing one makes every user's import create a
# "qdeck Python Interview v1+" copy. Names, CSS and template text may change freely.
MODEL_ID = 1704208213
MODEL_NAME = "qdeck Python Interview v1"


@dataclass(frozen=True)
class FieldSpec:
    """One note-type field: its shown name and the id Anki matches it by across renames."""

    name: str
    id: int


# Spare fields exist so a later feature never needs a schema change (a schema change makes
# users tick "Merge notetypes"); renaming a spare field imports cleanly because its id stays.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("Question", 7390412268371151001),
    FieldSpec("Answer", 7390412268371151002),
    FieldSpec("Also asked as", 7390412268371151003),
    FieldSpec("Follow-ups", 7390412268371151004),
    FieldSpec("Code task", 7390412268371151005),
    FieldSpec("Tier", 7390412268371151006),
    FieldSpec("Topics", 7390412268371151007),
    FieldSpec("Sources", 7390412268371151008),
    FieldSpec("Status", 7390412268371151009),
    FieldSpec("Note ID", 7390412268371151010),
    FieldSpec("More answers", 7390412268371151011),  # was "Spare 1": same id, so it imports cleanly
    FieldSpec("Spare 2", 7390412268371151012),
    FieldSpec("Spare 3", 7390412268371151013),
    FieldSpec("Spare 4", 7390412268371151014),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)

TEMPLATE_NAME = "Question → Answer"
TEMPLATE_ID = 7390412268371152001

FRONT = """\
<div class="qd qd-front">
{{#Status}}<div class="qd-status">{{Status}}</div>{{/Status}}
<div class="qd-question">{{Question}}</div>
{{#Code task}}<div class="qd-section qd-task"><div class="qd-label">Code task</div>{{Code task}}</div>{{/Code task}}
</div>"""

# The note id stays in its field for search ("Note ID:...") but is not printed; the answer
# blocks name their lists, so the source slugs are not printed either.
BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="qd qd-back">
{{#Answer}}<div class="qd-answer">{{Answer}}</div>{{/Answer}}
{{^Answer}}<div class="qd-none">No answer yet: none of the source lists answers this question.</div>{{/Answer}}
{{#More answers}}<details class="qd-more"><summary>More answers</summary>{{More answers}}</details>{{/More answers}}
{{#Also asked as}}<details class="qd-more"><summary>Also asked as</summary>{{Also asked as}}</details>{{/Also asked as}}
{{#Follow-ups}}<details class="qd-more"><summary>Follow-ups</summary>{{Follow-ups}}</details>{{/Follow-ups}}
<div class="qd-meta">
{{#Tier}}<span class="qd-pill">{{Tier}}</span>{{/Tier}}
{{#Topics}}<span class="qd-topics">{{Topics}}</span>{{/Topics}}
</div>
</div>"""

_LIGHT_STYLE = "default"
_DARK_STYLE = "github-dark"
_CODE = ".qd-code"
_NIGHT = (".nightMode", ".night_mode")  # Anki desktop/iOS, AnkiDroid

_BASE_CSS = """\
.card {
  --qd-fg: #1f2328; --qd-bg: #ffffff; --qd-muted: #656d76; --qd-rule: #d0d7de;
  --qd-code-bg: #f6f8fa; --qd-inline-bg: rgba(175, 184, 193, 0.25);
  --qd-status-bg: #fff8c5; --qd-status-fg: #3b2300; --qd-pill-bg: #ddf4ff; --qd-pill-fg: #0969da;
  --qd-flag: #cf222e;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 18px; line-height: 1.5; text-align: left;
  color: var(--qd-fg); background-color: var(--qd-bg);
  margin: 0; padding: 0; overflow-wrap: break-word;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --qd-fg: #e6edf3; --qd-bg: #1c1c1e; --qd-muted: #9198a1; --qd-rule: #3d444d;
  --qd-code-bg: #0d1117; --qd-inline-bg: rgba(110, 118, 129, 0.4);
  --qd-status-bg: #3b2e0a; --qd-status-fg: #f2cc60; --qd-pill-bg: #0c2d6b; --qd-pill-fg: #79c0ff;
  --qd-flag: #f85149;
}
.qd { max-width: 44em; margin: 0 auto; padding: 0 14px; }
.qd-question { font-size: 1.15em; font-weight: 600; margin: 0.4em 0; }
.qd-section { margin-top: 0.9em; }
.qd-label { font-size: 0.75em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--qd-muted); margin-bottom: 0.2em; }
.qd-status { background: var(--qd-status-bg); color: var(--qd-status-fg); border-radius: 6px;
  padding: 0.4em 0.7em; margin: 0.5em 0; font-size: 0.85em; }
.qd p { margin: 0.45em 0; }
.qd ul, .qd ol { margin: 0.35em 0; padding-left: 1.4em; }
.qd li { margin: 0.15em 0; }
.qd code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em; background: var(--qd-inline-bg); border-radius: 4px; padding: 0.1em 0.3em; }
.qd pre.qd-code { background: var(--qd-code-bg); color: var(--qd-fg); border-radius: 6px;
  padding: 0.6em 0.8em; margin: 0.5em 0; overflow-x: auto; -webkit-overflow-scrolling: touch;
  white-space: pre; line-height: 1.4; font-size: 0.85em; }
.qd pre.qd-code code { background: none; padding: 0; font-size: 1em; border-radius: 0; }
hr#answer { border: none; border-top: 1px solid var(--qd-rule); margin: 1em 0; }
.qd-meta { margin-top: 1.2em; font-size: 0.8em; color: var(--qd-muted); }
.qd-pill { display: inline-block; background: var(--qd-pill-bg); color: var(--qd-pill-fg);
  border-radius: 999px; padding: 0 0.6em; margin-right: 0.5em; }
.qd-source { font-size: 0.72em; color: var(--qd-muted); margin: 0 0 0.3em; }
.qd-block + .qd-block { border-top: 1px solid var(--qd-rule); margin-top: 0.8em; padding-top: 0.6em; }
.qd-part { border-left: 3px solid var(--qd-rule); padding: 0.1em 0 0.1em 0.7em; margin: 0.6em 0; }
.qd-part.qd-flag { border-left-color: var(--qd-flag); }
.qd-none { color: var(--qd-muted); font-style: italic; }
details.qd-more { margin-top: 0.8em; border-top: 1px solid var(--qd-rule); padding-top: 0.4em; }
details.qd-more > summary { cursor: pointer; font-size: 0.75em; font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.04em; color: var(--qd-muted); }
details.qd-more[open] > summary { margin-bottom: 0.3em; }
details.qd-more .qd-block { font-size: 0.95em; }
@media (max-width: 480px) {
  .card { font-size: 16px; }
  .qd { padding: 0 8px; }
  .qd pre.qd-code { font-size: 0.8em; padding: 0.5em 0.6em; }
}
"""


def _night(selector: str) -> str:
    return ", ".join(f"{n} {selector}" for n in _NIGHT)


@lru_cache(maxsize=1)
def css() -> str:
    """The note type's CSS: layout, light and night themes, and the Pygments token classes."""
    light = HtmlFormatter(style=_LIGHT_STYLE).get_token_style_defs(_CODE)
    dark = HtmlFormatter(style=_DARK_STYLE).get_token_style_defs([f"{n} {_CODE}" for n in _NIGHT])
    # In night mode, first cancel every light token rule (a tag selector outranks the
    # light class rules but not the dark ones), so no light colour leaks onto a dark block.
    reset = (f"{_night(_CODE + ' span')} "
             "{ color: inherit; background: transparent; font-weight: inherit; font-style: inherit; }")
    return "\n".join([_BASE_CSS.rstrip(), "/* code: light */", *light, "/* code: night */", reset, *dark]) + "\n"


def notetype_spec() -> dict[str, object]:
    """Everything about the note type that users see, as plain data (the fingerprint's input)."""
    return {
        "id": MODEL_ID,
        "name": MODEL_NAME,
        "fields": [[f.name, f.id] for f in FIELDS],
        "templates": [[TEMPLATE_NAME, TEMPLATE_ID, FRONT, BACK]],
        "css": css(),
        "sort_field": 0,
    }


def _digest(value: object) -> str:
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def notetype_fingerprint() -> str:
    """Changes whenever anything users see of the note type changes (then its mod must bump)."""
    return _digest(notetype_spec())


def schema_fingerprint() -> str:
    """Changes only when Anki would call the note type a different schema (then users must merge)."""
    # Anki's import compares field and template counts and ids, never names or text.
    return _digest({"id": MODEL_ID, "fields": [f.id for f in FIELDS], "templates": [TEMPLATE_ID]})


# ---------------------------------------------------------------------- markdown subset

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)```[ \t]*(?P<lang>[\w+#.-]*)[ \t]*$")
_FENCE_CLOSE = re.compile(r"^[ \t]*```[ \t]*$")
_BULLET = re.compile(r"^[ \t]*- (?P<text>.*)$")
_NUMBERED = re.compile(r"^[ \t]*(?P<num>\d{1,9})\. (?P<text>.*)$")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _nfc(text: str) -> str:
    # Anki normalizes imported fields to NFC; doing it here keeps ours equal to what it stores.
    return unicodedata.normalize("NFC", text)


def mark_code(text: str) -> str:
    """Put backticks around the identifiers in a line's prose, with the scrape repair's vocabulary
    for questions; text already in backticks stays as it is.

    >>> mark_code("Implements __exit__ and `__enter__`; see requests.get() and run_in_executor.")
    'Implements `__exit__` and `__enter__`; see `requests.get()` and `run_in_executor`.'
    """
    from qdeck.repair import repair_question

    pieces = _CODE_SPAN.split(text)  # prose, code, prose, ...: the odd pieces are spans already
    return "".join(f"`{piece}`" if i % 2 else repair_question(piece) if piece.strip() else piece
                   for i, piece in enumerate(pieces))


def inline(text: str, mark: bool = False) -> str:
    """Escape one line of source text, then turn `backtick spans` into <code> (with `mark`, first
    mark its identifiers as code).

    >>> inline("Is `<class 'int'>` a type & a <b>tag</b>?")
    "Is <code>&lt;class 'int'&gt;</code> a type &amp; a &lt;b&gt;tag&lt;/b&gt;?"
    """
    escaped = html.escape(mark_code(text) if mark else text, quote=False)
    return _CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)


def _lexer(lang: str):
    if not lang:
        return PythonLexer()  # a Python deck: unlabelled fences are Python
    try:
        return get_lexer_by_name(lang.lower())
    except ClassNotFound:
        return TextLexer()


_FORMATTER = HtmlFormatter(nowrap=True)  # building one per block costs more than highlighting


@lru_cache(maxsize=4096)
def code_block(code: str, lang: str = "") -> str:
    """A fenced block as a Pygments-highlighted <pre>; Pygments escapes the code itself.

    >>> code_block("a < b")
    '<pre class="qd-code"><code><span class="n">a</span> <span class="o">&lt;</span> <span class="n">b</span></code></pre>'
    """
    body = highlight(code, _lexer(lang), _FORMATTER).rstrip("\n") if code.strip() else html.escape(code, quote=False)
    return f'<pre class="qd-code"><code>{body}</code></pre>'


def _strip_indent(line: str, indent: str) -> str:
    return line[len(indent):] if line.startswith(indent) else line.lstrip(" \t")


def markdown(text: str, mark: bool = False) -> str:
    """Render the answer markdown subset (see models.py) to HTML; source text never becomes markup.
    With `mark`, identifiers in prose become code (see `mark_code`).

    >>> markdown("Two kinds:\\n\\n- `list`\\n- tuple\\n\\n1. first\\n2. second")
    '<p>Two kinds:</p><ul><li><code>list</code></li><li>tuple</li></ul><ol><li>first</li><li>second</li></ol>'
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    list_kind = ""  # "ul" | "ol" while a list is open
    list_start = 1

    def close() -> None:
        nonlocal list_kind
        if para:
            out.append("<p>" + "<br>".join(para) + "</p>")
            para.clear()
        if list_kind:
            start = f' start="{list_start}"' if list_kind == "ol" and list_start != 1 else ""
            out.append(f"<{list_kind}{start}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{list_kind}>")
            items.clear()
            list_kind = ""

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE_OPEN.match(line)
        if fence:
            close()
            indent, body = fence.group("indent"), []
            i += 1
            while i < len(lines) and not _FENCE_CLOSE.match(lines[i]):
                body.append(_strip_indent(lines[i], indent))
                i += 1
            i += 1  # past the closing fence; an unclosed fence runs to the end so no text is lost
            out.append(code_block("\n".join(body), fence.group("lang")))
            continue
        if not line.strip():
            close()
            i += 1
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            kind = "ul" if bullet else "ol"
            if para or (list_kind and list_kind != kind):
                close()
            if not list_kind:
                list_kind = kind
                list_start = int(numbered.group("num")) if numbered else 1
            items.append(inline((bullet or numbered).group("text").strip(), mark))
        elif list_kind:
            items[-1] += "<br>" + inline(line.strip(), mark)  # a continuation line of the last item
        else:
            para.append(inline(line.strip(), mark))
        i += 1
    close()
    return "".join(out)


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
    return dict(_fields_of(_render_key(note)))


# A build renders each note up to three times (its identity hash, the full deck, its tier's
# deck), so fields are kept by every input they depend on (`mod` is not one) until the build ends.
_rendered: dict[tuple, tuple[tuple[str, str], ...]] = {}
_RENDERED_MAX = 1 << 18


def _render_key(note: Note) -> tuple:
    return (note.question, note.answer, note.variants, note.follow_ups, note.code_tasks, note.tier, note.topics,
            note.sources, note.status, note.merged_into, note.guid, note.answers, note.source_titles)


def _fields_of(key: tuple) -> tuple[tuple[str, str], ...]:
    fields = _rendered.get(key)
    if fields is None:
        if len(_rendered) >= _RENDERED_MAX:
            _rendered.clear()
        fields = _rendered[key] = _render(*key)
    return fields


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


def clear_render_cache() -> None:
    """Free the rendered fields of a finished build."""
    _rendered.clear()


def _hash_of(fields: tuple[tuple[str, str], ...], tags: Iterable[str]) -> str:
    return _digest({"fields": [value for _, value in fields], "tags": sorted(set(tags))})


def content_hash(note: Note) -> str:
    """A digest of what the user sees of a note: its rendered fields and its tags."""
    return _hash_of(_fields_of(_render_key(note)), note.tags)


def content_hashes(notes: Sequence[Note]) -> list[str]:
    """`content_hash` of each note; a large build renders on forked workers and keeps the fields."""
    from qdeck import parallel

    keys = [_render_key(n) for n in notes]
    todo = list(dict.fromkeys(key for key in keys if key not in _rendered))
    for key, fields in zip(todo, parallel.map_ordered(lambda key: _render(*key), todo, label="rendering cards")):
        _rendered[key] = fields
    return [_hash_of(_fields_of(key), n.tags) for key, n in zip(keys, notes)]

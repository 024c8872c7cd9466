"""The note type: its frozen ids, fields, card templates and CSS, and the fingerprints of what users see of it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Sequence

from pygments.formatters import HtmlFormatter

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


def digest(value: object) -> str:
    """A short, stable digest of plain data (JSON with sorted keys), for fingerprints and content hashes."""
    data = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def notetype_fingerprint() -> str:
    """Changes whenever anything users see of the note type changes (then its mod must bump)."""
    return digest(notetype_spec())


def schema_fingerprint(fields: Sequence[FieldSpec] = FIELDS) -> str:
    """Changes only when Anki would call the note type a different schema (then users must merge);
    `fields` asks it of another field list than ours.

    >>> schema_fingerprint(tuple(FieldSpec(f.name.upper(), f.id) for f in FIELDS)) == schema_fingerprint()
    True
    """
    # Anki's import compares field and template counts and ids, never names or text.
    return digest({"id": MODEL_ID, "fields": [f.id for f in fields], "templates": [TEMPLATE_ID]})

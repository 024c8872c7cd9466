"""The merge report: one HTML page where a maintainer audits which questions were merged into which note."""

from __future__ import annotations

import html
from typing import Mapping, Sequence

from qdeck.models import Note, Question
from qdeck.anki import inline

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} table{border-collapse:collapse;width:100%;margin:.4rem 0 1.4rem}
td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4} .ref{font-family:monospace;white-space:nowrap} .sim{text-align:right}
.canon{font-weight:600} summary{cursor:pointer} code{background:#f1f1f1;padding:0 .2em;border-radius:3px}
.order button{margin-right:.4rem} .order button[aria-pressed=true]{font-weight:700}
"""

# Reorders the notes in place; without JavaScript the page keeps the build's order.
_SCRIPT = """
function orderBy(key){
  const box=document.getElementById('notes');
  [...box.children].sort((a,b)=>a.dataset[key]-b.dataset[key]).forEach(n=>box.appendChild(n));
  document.querySelectorAll('.order button').forEach(b=>b.setAttribute('aria-pressed',b.dataset.key===key));
}
"""


def lowest_similarity(note: Note) -> float:
    """The score of the member least like the canonical question (1.0 when none is scored)."""
    return min((score for _, score in note.similarity), default=1.0)


def merge_report_html(deck: str, notes: Sequence[Note], questions: Mapping[str, Question]) -> str:
    """Every note a learner studies that has more than one member: its members and their similarity.

    Retired notes are left out: they are shipped only so older copies get tagged.
    """
    merged = [n for n in notes if n.status == "active" and len(n.refs) > 1]
    esc = html.escape
    parts = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>{esc(deck)}: merged questions</title><style>{_STYLE}</style><script>{_SCRIPT}</script>",
        f"<h1>{esc(deck)}: {len(merged)} merged notes from {sum(len(n.refs) for n in merged)} questions</h1>",
        "<p>Each table is one note. Fix a wrong merge with <code>split:</code>, a missed one with "
        "<code>merge:</code> in <code>data/overrides.yaml</code>.</p>",
        "<p class=order>Order: <button type=button data-key=order aria-pressed=true "
        "onclick=\"orderBy('order')\">as built</button><button type=button data-key=low aria-pressed=false "
        "onclick=\"orderBy('low')\">lowest similarity first</button></p>",
        "<div id=notes>",
    ]
    for position, note in enumerate(merged):
        scores = dict(note.similarity)
        low = lowest_similarity(note)
        parts.append(f"<section data-order={position} data-low={low:.4f}>")
        parts.append(f"<h2 class=canon>{inline(note.question)}</h2>")
        parts.append(
            f"<p>{esc(note.tier)} · {esc(', '.join(note.topics))} · {esc(note.kind)}"
            f"{' · guid ' + esc(note.guid) if note.guid else ''} · lowest similarity {low:.2f}</p>"
        )
        parts.append("<table><tr><th>ref</th><th>question</th><th>similarity</th></tr>")
        for ref in note.refs:
            q = questions.get(ref)
            text = q.text if q else ""
            score = scores.get(ref)
            parts.append(
                f"<tr><td class=ref>{esc(ref)}</td><td>{inline(text)}</td>"
                f"<td class=sim>{'' if score is None else f'{score:.2f}'}</td></tr>"
            )
        parts.append("</table></section>")
    parts.append("</div></html>\n")
    return "\n".join(parts)

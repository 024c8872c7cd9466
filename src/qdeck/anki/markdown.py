"""The answer markdown subset as HTML: source text is escaped, never passed through as markup; code is highlighted."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)```[ \t]*(?P<lang>[\w+#.-]*)[ \t]*$")
_FENCE_CLOSE = re.compile(r"^[ \t]*```[ \t]*$")
_BULLET = re.compile(r"^[ \t]*- (?P<text>.*)$")
_NUMBERED = re.compile(r"^[ \t]*(?P<num>\d{1,9})\. (?P<text>.*)$")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


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


@lru_cache(maxsize=64)  # lexers keep no state between texts; finding one by name scans all of Pygments'
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

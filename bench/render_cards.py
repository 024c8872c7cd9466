"""Render chosen cards of a built package through real Anki to PNG with headless Chromium.

    .venv/bin/python bench/render_cards.py [--package build/python-interview.apkg] [--out build/cards]
        [--widths 800,400] [--themes light,dark] [--open] [--note GUID_OR_TEXT ...]

Imports the package into a scratch Anki collection, renders each chosen card's question and
answer with Anki's own renderer (`card.question()` / `card.answer()`, the note type's CSS
included), wraps them as Anki's reviewer does (`<body class="card card1">`, plus `nightMode
night_mode` in night mode) and screenshots each page at its full height. Without `--note` it
picks eight representative notes: short, bullets, deep-dive with code, code task, merged from 3+
lists, follow-ups, no answer, retired. `--open` renders the back with every <details> open.
`--readme` also writes the four README pictures (bench/cards/card-*.png).

Needs the test extra (the `anki` library) and Chromium (Debian: `apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars")
NIGHT = "nightMode night_mode"  # the classes Anki desktop and AnkiDroid put on the card in night mode
# The README pictures: (side, theme, width) of the merged note (or of the first `--note`).
README_SHOTS = (("front", "light", 400), ("back", "light", 400), ("front", "dark", 400), ("back", "dark", 400))


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("render_cards: Chromium not found; install it (Debian: apt-get install chromium)")


def page(body: str, night: bool, opened: bool) -> str:
    """A card's rendered HTML as Anki's reviewer shows it."""
    if opened:
        body = body.replace("<details", "<details open")
    classes = "card card1" + (f" {NIGHT}" if night else "")
    return (f'<!doctype html><html class="{"night-mode" if night else ""}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body class="{classes}">{body}</body></html>')


def _run(args: list[str], profile: Path) -> str:
    done = subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed: {done.stderr.strip()[-500:]}")
    return done.stdout


_HEIGHT = re.compile(r'<meta name="qd-height" content="(\d+)">')


def content_height(html_path: Path, width: int, profile: Path) -> int:
    """The page's full height at `width`, measured by Chromium itself.

    `--dump-dom` lays a page out at its default width whatever `--window-size` says, so the page
    is measured inside an iframe of the wanted width (its media queries see that width too).
    """
    probe = html_path.with_suffix(".probe.html")
    framed = html.escape(html_path.read_text(encoding="utf-8"), quote=True)
    probe.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">'
        f'<iframe id="f" style="width:{width}px;height:50px;border:0" srcdoc="{framed}"></iframe><script>'
        "document.getElementById('f').addEventListener('load', (e) => {"
        "const m = document.createElement('meta'); m.name = 'qd-height';"
        "m.content = Math.ceil(e.target.contentDocument.documentElement.scrollHeight);"
        "document.head.appendChild(m); });</script></body></html>", encoding="utf-8")
    out = _run(["--virtual-time-budget=3000", "--dump-dom", probe.as_uri()], profile)
    probe.unlink()
    found = _HEIGHT.search(out)
    return int(found.group(1)) if found else 2000


# Headless Chromium paints only part of a very short window, so short cards get this much.
MIN_HEIGHT = 240
BOTTOM_MARGIN = 12


def screenshot(html_path: Path, png: Path, width: int, height: int, profile: Path) -> None:
    height = max(height + BOTTOM_MARGIN, MIN_HEIGHT)
    _run([f"--window-size={width},{height}", f"--screenshot={png}", html_path.as_uri()], profile)


# ---------------------------------------------------------------------- choosing notes


def _field(note: Any, name: str) -> str:
    return note[name] if name in note.keys() else ""


def _tags(note: Any) -> set[str]:
    return set(note.tags)


def _text(field: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", field))


def _retired(n: Any) -> bool:
    return any(t.endswith("::status::retired") for t in n.tags)


def _sources(n: Any) -> int:
    return len([t for t in n.tags if "::source::" in t])


# The first note (in package order) that fits each description.
PICKS: dict[str, Callable[[Any], bool]] = {
    "short": lambda n: "<li>" not in n["Answer"] and 0 < len(n["Answer"]) < 400 and not n["More answers"]
    and _sources(n) == 1,
    "bullets": lambda n: n["Answer"].count("<li>") >= 4 and "qd-part" not in n["Answer"] and _sources(n) == 1,
    "deep-dive-code": lambda n: "qd-tests" in n["Answer"] and "qd-code" in n["Answer"],
    "code-task": lambda n: bool(n["Code task"]) and bool(n["Answer"]),
    "merged": lambda n: _sources(n) >= 3 and n["More answers"] != "" and "context manager" in n["Question"].lower(),
    "follow-ups": lambda n: n["Follow-ups"].count("<li>") >= 3 and not n["More answers"],
    "no-answer": lambda n: not n["Answer"] and not n["Code task"] and len(n["Question"]) > 60,
    "retired": lambda n: True,
}


def choose(col: Any, wanted: list[str]) -> list[tuple[str, Any]]:
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    if wanted:
        chosen = []
        for w in wanted:
            match = next((n for n in notes if n.guid == w or w.lower() in _text(n["Question"]).lower()), None)
            if match is None:
                sys.exit(f"render_cards: no note matches {w!r}")
            chosen.append((re.sub(r"\W+", "-", w.lower()).strip("-")[:40], match))
        return chosen
    out = []
    for kind, test in PICKS.items():
        taken = {n.id for _, n in out}
        match = next((n for n in notes if n.id not in taken and _retired(n) == (kind == "retired") and test(n)), None)
        if match is not None:
            out.append((kind, match))
        else:
            print(f"render_cards: no note for {kind!r}", file=sys.stderr)
    return out


# ---------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, default=ROOT / "build" / "python-interview.apkg")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "cards")
    parser.add_argument("--widths", default="800,400")
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument("--open", action="store_true", help="render every <details> open")
    parser.add_argument("--readme", action="store_true", help="also write the README pictures to bench/cards/")
    parser.add_argument("--note", action="append", default=[], help="a GUID or part of a question (repeatable)")
    args = parser.parse_args(argv)

    from anki.collection import Collection, ImportAnkiPackageRequest

    args.out.mkdir(parents=True, exist_ok=True)
    widths = [int(w) for w in args.widths.split(",")]
    themes = args.themes.split(",")
    with tempfile.TemporaryDirectory(prefix="qdeck-cards-") as tmp:
        tmp_path = Path(tmp)
        col = Collection(str(tmp_path / "collection.anki2"))
        try:
            options = col._backend.get_import_anki_package_presets()
            col.import_anki_package(ImportAnkiPackageRequest(package_path=str(args.package), options=options))
            chosen = choose(col, args.note)
            rendered = []
            for kind, note in chosen:
                card = note.cards()[0]
                rendered.append((kind, note, card.question(), card.answer()))
        finally:
            col.close()
        shots: dict[tuple[str, str, str, int], Path] = {}
        profile = tmp_path / "chromium"
        for kind, note, question, answer in rendered:
            print(f"{kind}: {_text(note['Question'])[:80]}")
            for side, body in (("front", question), ("back", answer)):
                height = {}
                for theme in themes:
                    page_path = tmp_path / f"{kind}-{side}-{theme}.html"
                    page_path.write_text(page(body, theme == "dark", args.open), encoding="utf-8")
                    for width in widths:
                        if width not in height:
                            height[width] = content_height(page_path, width, profile)
                        png = args.out / f"{kind}-{side}-{theme}-{width}.png"
                        screenshot(page_path, png, width, height[width], profile)
                        shots[(kind, side, theme, width)] = png
                        print(f"  {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png} ({height[width]} px)")
        if args.readme:
            docs = ROOT / "bench" / "cards"
            docs.mkdir(exist_ok=True)
            kinds = [kind for kind, *_ in rendered]
            kind = "merged" if "merged" in kinds else kinds[0]
            for side, theme, width in README_SHOTS:
                source = shots.get((kind, side, theme, width))
                if source is not None:
                    shutil.copyfile(source, docs / f"card-{side}-{theme}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

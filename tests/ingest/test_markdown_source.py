"""A markdown list declared with `format: markdown` alone, built and studied in real Anki."""

from __future__ import annotations

from tests.helpers import ROOT, make_project, run_cli

CASES = ROOT / "tests" / "cases" / "markdown"
SOURCES = """\
sources:
  - name: qa-list
    file: sources/q-ans.md
    format: markdown
  - name: handbook
    file: sources/sections.md
    format: markdown
  - name: mistakes
    file: sources/mistakes.md
    format: markdown
"""


def test_markdown_lists_become_cards_with_code_blocks_and_no_markdown_left(tmp_path, capsys, anki_collection,
                                                                           anki_import):
    files = {name: (CASES / name).read_text(encoding="utf-8") for name in ("q-ans.md", "sections.md", "mistakes.md")}
    proj = make_project(tmp_path / "project", SOURCES, files, "deck: MD\nslug: md\ntag_root: md\n")

    sources = run_cli(capsys, "sources", cwd=proj)
    assert sources.code == 0
    rows = {line.split()[0]: line.split()[2:4] for line in sources.out.splitlines()[1:4]}
    assert rows == {"qa-list": ["4", "4"], "handbook": ["4", "4"], "mistakes": ["6", "5"]}
    assert "warning: mistakes: line 11: a stray code fence" in sources.out

    built = run_cli(capsys, "build", "--quiet", cwd=proj)
    assert (built.code, built.err) == (0, "")
    col = anki_collection()
    anki_import(col, proj / "build" / "md.apkg")
    backs = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        backs[card.note()["Question"]] = card.answer().split("</style>", 1)[-1]
    copy_back = next(back for question, back in backs.items() if "copy a nested list" in question)
    assert '<pre class="qd-code"><code><span class="kn">import</span><span class="w"> </span><span class="nn">copy</span>' in copy_back
    metaclass_back = next(back for question, back in backs.items() if "metaclass?" in question)
    assert metaclass_back.count('<pre class="qd-code">') == 2  # an unclosed fence did not swallow the next
    for back in backs.values():
        assert "```" not in back and "Ans:" not in back and "Object-Oriented Programming" not in back

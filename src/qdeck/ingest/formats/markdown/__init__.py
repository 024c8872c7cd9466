"""Markdown question lists in the common GitHub layouts, with the layout detected from the file.

A question is one of (whichever the file uses most for questions):
- a numbered heading: `## 1. Question`, `## Q1. Question`, `### 2.3 Question`, `## 4️⃣ Question`,
  under any `## Section` headings above its level;
- a numbered line of its own: `**1. Question**`, `Q1. Question`, `**Q1:** Question`;
- a top-level numbered list item: `1. question` under headings;
- failing those, every heading of the level whose headings ask the most (`### What is X?`),
  numbered in file order.

What follows a question up to the next question, heading or `---` is its answer, kept in the
pipeline's markdown subset (see qdeck.models): paragraphs, `- ` and `1. ` items, fenced code with
its language, `**Ans:**` labels dropped. A heading never enters an answer: one above the question
level sets the section (or the level, when `tiers` maps its title), one below is a sub-heading of
the answer and is listed as a heading. Every other non-blank line is listed as skipped, with a
reason (separators, HTML markup, images, table rules, table-of-contents links, stray fences).

The parser warns, with line numbers, about a question that looks glued to its answer, a fence
that is never closed or closes nothing, a question-like heading at another level, and numbers
that repeat (when a list restarts its numbers per section, refs become `<section>.<number>`).

- `parse`: the walk over the file, and the questions it yields;
- `layout`: which kind of line holds the questions;
- `lines`: what one line is (heading, numbered question, list item, markup);
- `fences`: fenced code blocks, stray and unclosed fences;
- `answer`: answer lines in the markdown subset.
"""

from qdeck.ingest.formats.markdown.answer import build_answer, glued_answer
from qdeck.ingest.formats.markdown.layout import detect_layout
from qdeck.ingest.formats.markdown.lines import asks, split_number
from qdeck.ingest.formats.markdown.parse import parse

__all__ = ["asks", "build_answer", "detect_layout", "glued_answer", "parse", "split_number"]

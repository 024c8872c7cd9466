"""Parse a deep-dive page: long answers whose titles were lost, with red flags and numbered follow-ups.

The page is a scrape, so paragraph breaks were lost in places: labels such as
`Follow-up:` or `Reference Counting Example:` are often glued onto the end of the
previous sentence, and code blocks are bare lines with their indentation. Every
non-blank line from an `Answer:` line up to the next answer or section heading belongs
to that answer or its follow-ups (`Parsed.consumed`); any other line is a heading or a
skipped line.

The question titles come from a YAML file (option `titles`, read by the config layer into
`config.Titles`) that maps each answer's number, in file order, to a question written for it.

- `page`: the page's sections and answers, and each answer's title;
- `answer`: one answer's tests line, body, red flag and follow-ups;
- `lines`: what kind of line each answer line is (prose, list item, code);
- `glue`: splitting lines where the scrape glued paragraphs together;
- `render`: blocks and follow-up items as card text.
"""

from qdeck.ingest.formats.deepdive.page import parse

__all__ = ["parse"]

"""Restore bullets and backticked inline code in answers whose HTML scrape glued code to prose.

Modules, in the order the repair uses them: `units` splits an answer into bullets,
`segment` finds each bullet's code spans by dynamic programming, scoring candidate spans with
`code_spans` (names by `names` and `glue`, Python's parser by `parse`, edges by `edges`) and
prose with `prose` (where it may end by `prose_ends`), all from the word lists of
`vocabulary` and the weights of `weights`, and skipping what `bounds` proves cannot win;
`render` writes the bullets back and `answer` ties it together.  `question` marks code in
question lines, which kept their spaces.
"""

from qdeck.repair.answer import repair_answer
from qdeck.repair.question import repair_question
from qdeck.repair.vocabulary import has_english_words

__all__ = ["has_english_words", "repair_answer", "repair_question"]

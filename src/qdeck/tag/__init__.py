"""The TAG stage: tier, topics, kind and Anki tags for every note (the taxonomy is read in config.taxonomy).

- `stage`: `tag_notes`, each note's evidence, overrides and explicit tiers put together;
- `topics`: topic evidence and the chosen topics;
- `kinds`: question and note kinds;
- `tiers`: the inferred tier of untiered notes;
- `tags`: the tag strings.
"""

from qdeck.tag.kinds import question_kind
from qdeck.tag.stage import tag_notes
from qdeck.tag.tiers import infer_tiers
from qdeck.tag.topics import choose_topics, topic_scores

__all__ = ["choose_topics", "infer_tiers", "question_kind", "tag_notes", "topic_scores"]

"""Identity stage: every question keeps its note's GUID through upstream edits (the committed lock)."""

from qdeck.identity.alignment import UNCERTAIN, Alignment, Pair, align, migrate, text_similarity
from qdeck.identity.assign import IdentityReport, assign_identities
from qdeck.identity.model import (
    LOCK_VERSION,
    Lock,
    LockedContent,
    LockedQuestion,
    LockEntry,
    NotetypeState,
    load_lock,
)
from qdeck.identity.sticky import follow, keep_inferred_tiers, last_release
from qdeck.identity.write import lock_text, lock_would_change, save_lock

__all__ = [
    "LOCK_VERSION", "UNCERTAIN", "Alignment", "IdentityReport", "Lock", "LockEntry", "LockedContent", "LockedQuestion",
    "NotetypeState", "Pair", "align", "assign_identities", "follow", "keep_inferred_tiers",
    "last_release", "load_lock", "lock_text", "lock_would_change", "migrate", "save_lock", "text_similarity",
]

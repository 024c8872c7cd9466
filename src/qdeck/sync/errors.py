"""The error a sync raises when the collection cannot be synced as it is."""

from __future__ import annotations

from qdeck.errors import QdeckError


class CollectionError(QdeckError):
    """The Anki collection cannot be synced as it is: open in Anki, not a collection, or an unsafe schema."""

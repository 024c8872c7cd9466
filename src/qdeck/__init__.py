"""qdeck: turn lists of interview questions into one clean, stable Anki deck."""

__version__ = "0.1.0"

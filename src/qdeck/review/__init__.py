"""Review merge decisions and inferred tags by hand: candidates, the judgment store, the session."""

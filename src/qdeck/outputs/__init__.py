"""What a build writes or prints besides the packages and the lock.

- `catalog`: the note catalog (JSON lines);
- `report`: the merge report (HTML);
- `summary`: the tables and lines the CLI prints;
- `story`: the story of a build (what changed and why);
- `tables`: plain-text columns and clipped lines, shared by the last two.
"""

"""The one exception root: every expected failure is a QdeckError with a one-line message."""


class QdeckError(Exception):
    """A problem the user can fix; the CLI prints `str(err)` on one line and exits 2."""

    exit_code = 2

    def __init__(self, message: str, path: object = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path is not None else message)


class InputError(QdeckError):
    """A source, recipe or data file cannot be used as it is."""


class LockError(QdeckError):
    """The identity lock file is corrupt or inconsistent."""


class OutputError(QdeckError):
    """An output file cannot be written."""

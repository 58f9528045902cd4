"""The one error tree of BackPath.

    BackPathError
    ├── InvalidInput          bad data at an edge (intake, answers, CLI file); names the field
    └── KnowledgeBaseError    a knowledge or instrument data file failed validation

Edges (CLI, API, forms) turn these into ``field: message`` for the user, never a traceback.
"""

from __future__ import annotations


class BackPathError(Exception):
    """Base of every error BackPath raises on purpose."""


class InvalidInput(BackPathError):
    """Input that breaks the contract; ``field`` is a dotted path such as ``pain.nrs_now``."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field or "(input)"
        self.message = message
        super().__init__(f"{self.field}: {message}")


class KnowledgeBaseError(BackPathError):
    """A data file that fails validation or cross-reference checks; names file and field."""

    def __init__(self, file: str, field: str, message: str) -> None:
        self.file = file
        self.field = field
        self.message = message
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {message}")

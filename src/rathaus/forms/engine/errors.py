"""The error a form definition that cannot be used raises."""

from __future__ import annotations


class DefinitionError(ValueError):
    """A form definition that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems

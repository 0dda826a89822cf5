"""Problems with an import's input, each with its place: they are data, never just words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth noting about) the input: where it is (``file:line`` or the
    record), the message in words, and for code to read, a ``code`` naming the kind of problem
    and the ``value`` concerned. Code reads ``code`` and ``value``, never the message."""

    where: str
    message: str
    code: str = ""
    value: object = None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "where": self.where,
            "value": self.value,
            "message": self.message,
        }

    def __str__(self) -> str:
        # One line a problem, whatever the input held (a header cell may hold a line break).
        text = f"{self.where}: {self.message}"
        return text.replace("\r", "\\r").replace("\n", "\\n")


class ImportRejected(Exception):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the input")


class Problems(list):
    """A list of problems with a shorthand to add one."""

    def add(self, where: str, message: str, *, code: str = "", value=None) -> None:
        self.append(Problem(where, message, code, value))

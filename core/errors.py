"""The one shape of error every service raises when a rule says no."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """One reason a rule said no, for a form to show next to the field it is about.

    ``message`` is in plain words; ``field`` names the thing it concerns (a form field, an
    outcome area's code) where there is one; ``label`` is that thing's name for a reader who
    sees the reason on its own, as in an email or a list of reasons.
    """

    message: str
    field: str | None = None
    label: str = ""

    def __str__(self) -> str:
        return f"{self.label}: {self.message}" if self.label else self.message


class DomainError(Exception):
    """A rule said no. ``reasons`` are sentences the person using the site can read;
    ``details`` are the same reasons as ``Reason`` objects, so views never parse the text."""

    def __init__(self, reasons: list[str | Reason] | str | Reason):
        items = [reasons] if isinstance(reasons, str | Reason) else list(reasons)
        self.details = [r if isinstance(r, Reason) else Reason(r) for r in items]
        self.reasons = [str(reason) for reason in self.details]
        super().__init__(" ".join(self.reasons))

"""The one shape of error every service raises when a rule says no."""


class DomainError(Exception):
    """A rule said no; ``reasons`` are sentences the person using the site can read."""

    def __init__(self, reasons: list[str] | str):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__(" ".join(self.reasons))

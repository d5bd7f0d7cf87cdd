"""The one error type the domain raises: an English message id with named parameters.

The domain imports nothing of ours, so it cannot translate; it marks its messages with `N_` (so that
`pybabel extract` finds them) and the caller translates `message` and then formats it with `params`.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural form (`{count}`-like number chosen by `plural_by`) for extraction."""
    return singular, plural


class DomainError(ValueError):
    """A rule said no. `message` is a translatable English message id with `{name}` placeholders.

    A message with a number in it can be given as `Nn_(singular, plural)` with `plural_by` naming the
    parameter that chooses the form ("wait 1 second", "wait 5 seconds").
    """

    def __init__(self, message: str | tuple[str, str], plural_by: str = "", **params: object) -> None:
        self.plural: str | None = None
        if isinstance(message, tuple):
            message, self.plural = message
        self.message = message
        self.plural_by = plural_by
        self.params = params
        super().__init__(self.__str__())

    @property
    def count(self) -> int:
        value = self.params.get(self.plural_by, 1)
        return value if isinstance(value, int) else 1

    def __str__(self) -> str:
        template = self.plural if self.plural and self.count != 1 else self.message
        return template.format(**self.params)

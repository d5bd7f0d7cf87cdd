"""The one error type the domain raises: an English message id with named parameters.

The domain imports nothing of ours, so it cannot translate; it marks its messages with `N_` (so that
`pybabel extract` finds them) and the caller translates `message` and then formats it with `params`.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message


class DomainError(ValueError):
    """A rule said no. `message` is a translatable English message id with `{name}` placeholders."""

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return self.message.format(**self.params)

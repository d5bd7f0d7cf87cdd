"""Letter texts: Jinja2 templates under `resources/letters/<lang>/` and the small line markup they write.

A template renders to plain text in which the first characters of a line say what the line is:

    # Heading                 a heading in the left margin column (20 mm), bold
    ## Subheading             a bold heading in the body column (43 mm)
    - item                    a bullet in the body column
    | text                    a line kept as it is (addresses, signatures); `|` alone is an empty line
    @ Label | text            a label at 20 mm with its text at 43 mm (Liitteet, Jakelu...)
    ~ label                   a signature line with its label under it
    (anything else)           paragraph text; lines are joined, an empty line ends the paragraph

Values inserted with `{{ }}` never turn into markup: a value line that begins with one of these characters
is protected by an invisible mark, removed again before the text is drawn. A missing variable fails
(`StrictUndefined`), and so does a `None`: a letter never says "None".

Top-level `{% set doctype = ... %}`, `subject` and (optionally) `title` give the document type printed at
112 mm, the bold subject line and the PDF title.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from desktop.domain.errors import N_, DomainError
from desktop.printing import LETTERS_DIR

_PROTECT = "\u2060"  # WORD JOINER: invisible, and removed before drawing anyway
_MARKUP_START = ("#", "-", "|", "@", "~")


class BlockKind(StrEnum):
    HEADING = "heading"
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    LINE = "line"
    FIELD = "field"
    SPACE = "space"
    SIGNATURE = "signature"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str = ""
    label: str = ""


@dataclass(frozen=True)
class RenderedText:
    doctype: str
    subject: str
    title: str
    blocks: tuple[Block, ...]


def _protect(value: object) -> object:
    if value is None:
        raise DomainError(N_("A letter field has no value; the letter was not written."))
    if not isinstance(value, str):
        return value
    lines = value.split("\n")
    return "\n".join(_PROTECT + line if line.lstrip().startswith(_MARKUP_START) else line for line in lines)


def _required(value: object, what: str = "a value") -> object:
    if value is None or not str(value).strip():
        raise DomainError(N_("The letter cannot be written without {what}."), what=what)
    return value


@lru_cache(maxsize=16)
def environment(language: str, directory: Path = LETTERS_DIR) -> jinja2.Environment:
    """The Jinja2 environment for one language's templates (shared snippets in the same folder)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory / language)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text into a PDF, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_protect,
    )
    env.filters["required"] = _required
    return env


@lru_cache(maxsize=16)
def labels(language: str, directory: Path = LETTERS_DIR) -> dict[str, Any]:
    """Short texts of a language: header labels, right names, kind names, footer and list captions."""
    path = directory / language / "labels.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DomainError(
            N_("Cannot read the letter texts {file}: {reason}"), file=str(path), reason=str(error)
        ) from error


def render(name: str, language: str, context: dict[str, Any], directory: Path = LETTERS_DIR) -> RenderedText:
    """Render `<language>/<name>.j2` with `context` and parse its markup."""
    env = environment(language, directory)
    try:
        template = env.get_template(f"{name}.j2")
        module = template.make_module(context)
    except jinja2.TemplateNotFound:
        raise DomainError(
            N_("There is no letter template {template} in language {language}."),
            template=name,
            language=language,
        ) from None
    except jinja2.UndefinedError as error:
        raise DomainError(
            N_("The letter template {template} needs a value that is missing: {reason}"),
            template=f"{language}/{name}.j2",
            reason=error.message or str(error),
        ) from None
    except jinja2.TemplateSyntaxError as error:
        raise DomainError(
            N_("The letter template {template} has an error on line {line}: {reason}"),
            template=f"{language}/{name}.j2",
            line=error.lineno,
            reason=error.message or str(error),
        ) from None
    doctype = str(getattr(module, "doctype", "")).strip()
    subject = str(getattr(module, "subject", "")).strip()
    title = str(getattr(module, "title", "") or subject).strip()
    return RenderedText(_plain(doctype), _plain(subject), _plain(title), tuple(parse_markup(str(module))))


_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # not the no-break space, which keeps words together


def _plain(text: str) -> str:
    return _SPACES.sub(" ", text.replace(_PROTECT, "")).strip()


def parse_markup(text: str) -> list[Block]:
    """Turn rendered template text into blocks (see the module docstring)."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(BlockKind.PARAGRAPH, _plain(" ".join(paragraph))))
            paragraph.clear()

    def space() -> None:
        flush()
        if blocks and blocks[-1].kind is not BlockKind.SPACE:
            blocks.append(Block(BlockKind.SPACE))

    for raw in text.split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            space()
        elif stripped.startswith(_PROTECT):
            paragraph.append(stripped)
        elif stripped.startswith("## "):
            flush()
            blocks.append(Block(BlockKind.SUBHEADING, _plain(stripped[3:])))
        elif stripped.startswith("# "):
            flush()
            blocks.append(Block(BlockKind.HEADING, _plain(stripped[2:])))
        elif stripped.startswith("- "):
            flush()
            blocks.append(Block(BlockKind.BULLET, _plain(stripped[2:])))
        elif stripped == "|" or stripped.startswith("| "):
            flush()
            blocks.append(Block(BlockKind.LINE, _plain(stripped[2:])))
        elif stripped.startswith("@ ") and "|" in stripped:
            flush()
            label, _, value = stripped[2:].partition("|")
            blocks.append(Block(BlockKind.FIELD, _plain(value), _plain(label)))
        elif stripped.startswith("~ "):
            flush()
            blocks.append(Block(BlockKind.SIGNATURE, label=_plain(stripped[2:])))
        else:
            paragraph.append(stripped)
    flush()
    while blocks and blocks[0].kind is BlockKind.SPACE:
        blocks.pop(0)
    while blocks and blocks[-1].kind is BlockKind.SPACE:
        blocks.pop()
    return blocks

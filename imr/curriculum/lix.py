"""LIX (läsbarhetsindex) and sentence figures for Swedish text, and the Markdown-to-prose step.

Handouts are read by people who may have concentration or reading difficulties, so
readability is measured, not guessed. LIX = words/sentences + 100 * long words/words,
where a long word has more than six letters.

Markdown is reduced to prose first. Headings, list items, table cells and paragraphs
are separate units of text for a reader, so each block boundary also ends a sentence;
otherwise a list of short items without full stops would count as one endless sentence.

LIX alone rewards choppy text: a handout of three-word sentences scores like a children's
book. So the running prose (paragraphs outside worksheets; not headings, lists or tables,
which are meant to be short) is also measured by its mean sentence length and its share of
very short sentences, the two figures a plain-language editor looks at next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHORT_SENTENCE_WORDS = 4  # a prose sentence of this many words or fewer counts as short

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)|\n")
_FENCE = re.compile(r"^\s*(:{3,})\s*(.*?)\s*$")
_CLASS = re.compile(r"(?:^|[\s{])\.?([A-Za-z][\w-]*)")
_ATTRS = re.compile(r"\{[#.][^}]*\}")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`>#|]+")
_LIST_MARK = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+(?:\[[ xX]\]\s*)?")
_HEADING = re.compile(r"^\s*#+\s")
_TABLE = re.compile(r"^\s*\|")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_RULE = re.compile(r"^\s*(?:-{3,}|_{3,}|\*{3,})\s*$")

#: Div classes whose content is a form to fill in, not prose to read.
FORM_CLASSES = frozenset({"worksheet"})


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int
    prose_words: int = 0
    prose_sentences: int = 0
    short_sentences: int = 0

    @property
    def lix(self) -> float:
        """LIX rounded to one decimal; 0 for an empty text."""
        if not self.words:
            return 0.0
        return round(self.words / max(self.sentences, 1) + 100 * self.long_words / self.words, 1)

    @property
    def mean_sentence_words(self) -> float:
        """Mean words per prose sentence, one decimal; 0 when there is no prose."""
        return round(self.prose_words / self.prose_sentences, 1) if self.prose_sentences else 0.0

    @property
    def short_share(self) -> float:
        """Share (0-1) of prose sentences with SHORT_SENTENCE_WORDS words or fewer."""
        return round(self.short_sentences / self.prose_sentences, 3) if self.prose_sentences else 0.0

    def __add__(self, other: Readability) -> Readability:
        """Pooled counts, so figures over many texts weigh every sentence the same."""
        return Readability(*(a + b for a, b in zip(self._counts(), other._counts(), strict=False)))

    def _counts(self) -> tuple[int, ...]:
        return (
            self.words,
            self.sentences,
            self.long_words,
            self.prose_words,
            self.prose_sentences,
            self.short_sentences,
        )


EMPTY = Readability(0, 0, 0)


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "item", "table" or "para"
    text: str  # plain text, one line
    form: bool  # inside a worksheet (a form to fill in)


def markdown_blocks(markdown: str) -> list[Block]:
    """Split Markdown (with pandoc fenced divs) into blocks of plain text a reader sees as units."""
    blocks: list[Block] = []
    divs: list[bool] = []  # per open div: is it a form?
    current: list[str] = []
    kind = "para"

    def flush() -> None:
        nonlocal current, kind
        text = _plain(" ".join(current))
        if _WORD.search(text):
            blocks.append(Block(kind, text, any(divs)))
        current, kind = [], "para"

    for line in _COMMENT.sub(" ", markdown).splitlines():
        fence = _FENCE.match(line)
        if fence:
            flush()
            if fence.group(2):
                classes = set(_CLASS.findall(fence.group(2).split("#")[0]))
                divs.append(bool(classes & FORM_CLASSES))
            elif divs:
                divs.pop()
        elif not line.strip() or _RULE.match(line):
            flush()
        elif _HEADING.match(line):
            flush()
            kind, current = "heading", [line]
            flush()
        elif _TABLE.match(line):
            flush()
            for cell in line.strip().strip("|").split("|"):
                kind, current = "table", [cell]
                flush()
        elif _LIST_MARK.match(line):
            flush()
            kind = "item"
            current = [_LIST_MARK.sub("", line)]
        else:
            current.append(line.strip())
    flush()
    return blocks


def _plain(text: str) -> str:
    text = _ATTRS.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())


def markdown_to_prose(markdown: str) -> str:
    """Strip Markdown and pandoc div syntax, keeping one line per block of text."""
    return "\n".join(block.text for block in markdown_blocks(markdown))


def _sentences(text: str) -> list[list[str]]:
    """The words of each sentence in plain text (a line break also ends a sentence)."""
    out = []
    for chunk in _SENTENCE_END.split(text):
        words = _WORD.findall(chunk)
        if words:
            out.append(words)
    return out


def readability(text: str, prose: str = "") -> Readability:
    """Counts over plain `text`; `prose` (part of it) gives the sentence-length figures."""
    sentences = _sentences(text)
    words = [w for sentence in sentences for w in sentence]
    long_words = sum(1 for w in words if len(re.sub(r"[^\w]|\d|_", "", w)) > 6)
    prose_sentences = _sentences(prose)
    return Readability(
        words=len(words),
        sentences=len(sentences),
        long_words=long_words,
        prose_words=sum(len(s) for s in prose_sentences),
        prose_sentences=len(prose_sentences),
        short_sentences=sum(1 for s in prose_sentences if len(s) <= SHORT_SENTENCE_WORDS),
    )


def lix(text: str) -> float:
    return readability(text).lix


def markdown_readability(markdown: str, prose_only: bool = False) -> Readability:
    """Figures for a Markdown text; with `prose_only`, every count (LIX too) is of the running prose."""
    blocks = markdown_blocks(markdown)
    prose = "\n".join(b.text for b in blocks if b.kind == "para" and not b.form)
    return readability(prose if prose_only else "\n".join(b.text for b in blocks), prose)

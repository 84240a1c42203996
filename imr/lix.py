"""LIX (läsbarhetsindex) for Swedish text, and the Markdown-to-prose step it needs.

Handouts are read by people who may have concentration or reading difficulties, so
readability is measured, not guessed. LIX = words/sentences + 100 * long words/words,
where a long word has more than six letters.

Markdown is reduced to prose first. Headings, list items, table cells and paragraphs
are separate units of text for a reader, so each block boundary also ends a sentence;
otherwise a list of short items without full stops would count as one endless sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)|\n")
_FENCE = re.compile(r"^\s*:{3,}.*$", re.MULTILINE)
_ATTRS = re.compile(r"\{[#.][^}]*\}")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`>#|]+")
_LIST_MARK = re.compile(r"^\s*(?:[-+*]|\d+[.)])\s+(?:\[[ xX]\]\s*)?", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_RULE = re.compile(r"^\s*(?:-{3,}|_{3,}|\*{3,})\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        """LIX rounded to one decimal; 0 for an empty text."""
        if not self.words:
            return 0.0
        return round(self.words / max(self.sentences, 1) + 100 * self.long_words / self.words, 1)


def markdown_to_prose(markdown: str) -> str:
    """Strip Markdown and pandoc div syntax, keeping one line per block of text."""
    text = _COMMENT.sub(" ", markdown)
    text = _FENCE.sub("\n", text)
    text = _RULE.sub("\n", text)
    text = _ATTRS.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    # List items and headings are blocks of their own, even without a blank line.
    text = _LIST_MARK.sub("\n\n", text)
    text = re.sub(r"^(\s*#+ .*)$", r"\n\1\n", text, flags=re.MULTILINE)
    text = _MARKUP.sub(" ", text)
    # Wrapped lines inside a paragraph are joined; blocks become one line each.
    lines: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        line = " ".join(part.strip() for part in block.splitlines() if part.strip())
        if line:
            lines.append(line)
    return "\n".join(lines)


def readability(text: str) -> Readability:
    """Count words, sentences and long words in plain text (see module docstring)."""
    words = _WORD.findall(text)
    letters_only = [re.sub(r"[^\w]|\d|_", "", w) for w in words]
    long_words = sum(1 for w in letters_only if len(w) > 6)
    sentences = 0
    for chunk in _SENTENCE_END.split(text):
        if _WORD.search(chunk):
            sentences += 1
    return Readability(words=len(words), sentences=sentences, long_words=long_words)


def lix(text: str) -> float:
    return readability(text).lix


def markdown_readability(markdown: str) -> Readability:
    return readability(markdown_to_prose(markdown))

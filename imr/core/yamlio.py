"""Strict YAML reading and predictable YAML writing for records and curriculum.

Records are clinical documents under git review, so the reader is stricter than YAML
itself: duplicate keys (YAML keeps the last one silently) and anchors/aliases (one entry's
text appearing inside another) are refused; dates and timestamps stay strings so that an
impossible date becomes a clear finding instead of a crash. Every mapping remembers its line
so that findings can say `records/p-01.yaml:14`. Parsing uses libyaml when it is present.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


class YamlProblem(Exception):
    """A file that cannot be read as strict YAML; `line` is 1-based (0 if unknown)."""

    def __init__(self, line: int, code: str, **params: object) -> None:
        super().__init__(code)
        self.line = line
        self.code = code
        self.params = params


class LineDict(dict):
    """A mapping that knows the line it started on."""

    line: int = 0


@cache
def _yaml() -> tuple[Any, Any, Any]:
    """Import PyYAML and build the strict loader and house dumper, once, on first use.

    Commands whose inputs are all in the cache (see `imr.core.cache`) never pay for this import.
    """
    import yaml

    try:  # libyaml's C parser is several times faster; the pure-Python one is the fallback.
        from yaml import CSafeDumper as _BaseDumper
        from yaml import CSafeLoader as _BaseLoader
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
        from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    return yaml, _strict_loader(yaml, _BaseLoader), _house_dumper(_BaseDumper)


_TEXT_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp")


def _strict_loader(yaml: Any, base: Any) -> Any:
    """The strict loader class on PyYAML's `base` loader (see the module's docstring)."""
    text_tags = _TEXT_TAGS
    scalar_node = yaml.ScalarNode
    sequence_node = yaml.SequenceNode
    sequence_tag = base.DEFAULT_SEQUENCE_TAG
    mapping_tag = base.DEFAULT_MAPPING_TAG

    plain_tags: dict[str, str] = {}
    base_resolve = base.resolve

    class _StrictLoader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
            """The tag of an untagged node, remembered for short plain scalars.

            libyaml asks this for every node; the same short words (entry kinds, signatures,
            numbers) come back thousands of times in a workspace, and a quoted scalar is always
            text, as no path resolvers are registered.
            """
            if kind is scalar_node:
                if not implicit[0]:
                    return text_tags[0]
                if len(value) <= 32:
                    tag = plain_tags.get(value)
                    if tag is None:
                        tag = base_resolve(self, kind, value, implicit)
                        if len(plain_tags) < 65536:
                            plain_tags[value] = tag
                    return tag
                return base_resolve(self, kind, value, implicit)
            # No path resolvers are registered, so an untagged collection always gets the
            # default tag, without PyYAML's generic resolver and its checks for every list and mapping.
            return sequence_tag if kind is sequence_node else mapping_tag

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """Path resolvers are never registered; libyaml calls this for every node."""

        def ascend_resolver(self) -> None:
            """See `descend_resolver`."""

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            if node in self.constructed_objects:
                raise YamlProblem(node.start_mark.line + 1, "yaml_alias")
            return super().construct_object(node, deep)

    def _construct_plain_string(loader: Any, node: Any) -> str:
        return loader.construct_scalar(node)

    _StrictLoader.add_constructor("tag:yaml.org,2002:map", _map_constructor(scalar_node))
    _StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_plain_string)
    return _StrictLoader


def _map_constructor(scalar_node: Any) -> Any:
    """The strict loader's constructor of mappings (`scalar_node`: PyYAML's ScalarNode)."""
    merge_tag = "tag:yaml.org,2002:merge"
    text_tags = _TEXT_TAGS

    def _construct_map(loader: Any, node: Any) -> Iterator[LineDict]:
        """A mapping, refusing merge keys and duplicate keys, remembering its line.

        Written as one pass because most of a record is mappings of plain text: a text scalar
        is taken as is instead of through PyYAML's generic constructor, which makes reading a
        big workspace about a third quicker. It is still entered in `constructed_objects`, the
        one register of nodes already used, so an alias of it is refused here and in
        `construct_object` alike.
        """
        data = LineDict()
        data.line = node.start_mark.line + 1
        yield data
        used = loader.constructed_objects
        for key_node, value_node in node.value:
            if key_node.tag == merge_tag:
                raise YamlProblem(key_node.start_mark.line + 1, "yaml_alias")
            values = []
            for item in (key_node, value_node):
                if item in used:
                    raise YamlProblem(key_node.start_mark.line + 1, "yaml_alias")
                if item.__class__ is scalar_node and item.tag in text_tags:
                    used[item] = item.value
                    values.append(item.value)
                else:
                    values.append(loader.construct_object(item))
            key, value = values
            try:
                seen = key in data
            except TypeError:  # a list or mapping as a key
                raise YamlProblem(key_node.start_mark.line + 1, "yaml_syntax", problem="unhashable key") from None
            if seen:
                raise YamlProblem(key_node.start_mark.line + 1, "yaml_duplicate_key", key=key)
            data[key] = value

    return _construct_map


def _house_dumper(base: Any) -> Any:
    """The house dumper class on PyYAML's `base` dumper: text that could be read as another type
    quoted, several lines as a block, YAML 1.1's other line breaks escaped."""

    class _Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def _represent_str(dumper: Any, value: str) -> Any:
        if _OTHER_BREAKS.search(value):
            style: str | None = '"'  # NEL, U+2028, U+2029 as escapes: YAML 1.1 breaks the line there, 1.2 does not
        else:
            style = "|" if "\n" in value else "'" if could_be_typed(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _represent_str)
    _Dumper.add_representer(LineDict, _Dumper.represent_dict)
    return _Dumper


def parse_text(text: str) -> Any:
    """Parse one YAML document strictly; raise YamlProblem with a line number."""
    yaml, _StrictLoader, _ = _yaml()
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote: point at where it opened
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "syntax"
        raise YamlProblem(line, "yaml_syntax", problem=problem) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(0, "yaml_syntax", problem=str(exc)) from None
    except RecursionError:
        raise YamlProblem(0, "yaml_syntax", problem="nesting too deep") from None


# --- The quick reader -----------------------------------------------------------------------
#
# Reading a region's records after a fresh clone is mostly YAML parsing, and PyYAML builds its
# objects in Python. `quick_load` asks yaml-rs (a YAML parser in Rust) instead, and returns its
# result only where that result is known to be what `parse_text` gives; otherwise it returns None
# and the caller uses `parse_text`, which stays the one authority on what a file means and on
# every error's wording. The two differ in exactly these ways, each handled here:
#   * YAML 1.2 types plain scalars differently from PyYAML's YAML 1.1: `yes`, `on`, `1:30`,
#     `0b11`, `<<` and `=` are text in 1.2 only, `012` is twelve in 1.2 and ten in 1.1, `0o7` is a
#     number in 1.2 only, `1e3` a number in 1.2 only. Every text in the result is looked up in
#     PyYAML's own table of implicit types (text that PyYAML would type otherwise, were it
#     unquoted, is not taken); a float is never taken; a whole plain value written with a leading
#     zero or `0o` is found in the text before parsing.
#   * yaml-rs accepts what the strict reader refuses or reads otherwise: tags (`!x`), anchors and
#     aliases, flow collections other than `[]` and `{}`, several documents, directives, complex
#     keys, control characters, and the line breaks
#     only YAML 1.1 has (NEL, U+2028, U+2029); a lone CR, a byte-order mark inside the text, and
#     tabs (where libyaml refuses a tab yaml-rs may take it as indentation).
#     Text with any of them is left to `parse_text`.
#   * Plain numbers with `_` or a radix prefix in either case (`_5`, `0_8`, `0X1F`, `0O17`,
#     `0B11`: integers to yaml-rs, text to PyYAML) and a surrogate pair written as escapes
#     (`"\ud83d\ude00"`: one character to yaml-rs, refused by libyaml) go to `parse_text`.
#   * Keys longer than libyaml's 1,024-character limit and nesting deeper than 64 levels (where
#     PyYAML's recursion may give up) are left to `parse_text`, and so are the
#     two block-scalar endings yaml-rs reads otherwise: a file whose last line has no line break,
#     and an empty block scalar (`note: |` and nothing more) at the end of the file.
# A record in the house writer's own form (`writer_form`, one regular expression over the text)
# has none of these by construction, and is read without looking for them (a third of the time).
# tests/test_quick_yaml.py holds the two readers equal over every record shape, the workspaces'
# files and mutated records; anything yaml-rs refuses is simply read the careful way.


@cache
def _quick_refused_chars() -> re.Pattern[str]:
    """The characters the quick reader leaves to the strict one (compiled on first use: the
    class spans most of Unicode and costs 8 ms to compile, on every command that imports this)."""
    return re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


# Whole plain values with a leading zero or `0o` (the sign, if any, is checked where it matches).
# (No node starts right after a letter, digit, `_` or `.`: the look-behind skips ids and times.)
_QUICK_LEADING_ZERO = re.compile(r"0(?<![0-9A-Za-z_.]0)[0-9o][0-9a-fA-F_]*[ \t]*(?:[ \t]#[^\n]*)?(?=\n|[,\]}]|\Z)")
# Plain numbers written with `_` or a radix prefix in any case (`_5`, `0_8`, `1_000`, `0X1F`,
# `0O17`, `0B11`, `+_1`): yaml-rs reads each as an integer, PyYAML several of them as text.
# (Found by `_odd_number_at_node_start`, which gives what `_QUICK_ODD_NUMBER` would, from the `_`
# and radix prefixes outward: the expression itself is tried at every character of the text.)
_QUICK_ODD_NUMBER = re.compile(r"(?<![0-9A-Za-z_.])[-+]?(?:0[xXoObB]|[0-9]*_)")
_WORD_OR_DOT = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.")
_RADIX_PREFIX = re.compile("0[xXoObB]")
# A `_` after a digit or a character that is not part of a word (not inside `homework_review`).
_UNDERSCORE_NOT_IN_A_WORD = re.compile(r"_(?<![A-Za-z._]_)")
# A surrogate written as an escape ("\ud83d\ude00"): yaml-rs joins a pair into one character,
# libyaml refuses it.
_QUICK_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
# The characters below U+0100 that `_quick_refused_chars` matches, as Latin-1 bytes.
_LATIN1_REFUSED = bytes(b for b in range(0x100) if (b < 0x20 and b not in (0x09, 0x0A)) or 0x7F <= b <= 0x9F)
# A document marker (`---`, `...`) or a directive (`%`) at the start of a line but the first.
_DOCUMENT_MARK = re.compile(r"\n(?:---|\.\.\.|%)")
_QUICK_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$")
# `[]` or `{}` alone as a value: the only flow collections the house writer makes (an empty list
# or mapping). Any other flow collection is left to the strict reader: flow context is where
# yaml-rs accepts what libyaml refuses (`[:x]`, `[x:]`, `[|x]`).
_EMPTY_FLOW = re.compile(r"(?:\[\]|\{\})[ ]*(?:#[^\n]*)?\n")
_QUICK_KEY_LIMIT = 1000
_QUICK_DEPTH_LIMIT = 64  # a record is four levels deep
_KNOWN_TEXTS_MAX = 50_000  # texts remembered as plain (a region's notes are mostly unique: not all of them)


@cache
def _quick() -> tuple[Any, dict[str, tuple[Any, ...]], dict[str, Any], set[str], set[str]] | None:
    """yaml-rs and PyYAML's table of implicit types, once; None when yaml-rs is not installed."""
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - a dependency; its absence only makes reading slower
        return None
    from yaml.resolver import Resolver

    text_tags = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp")
    typed = {
        first: tuple(regexp for tag, regexp in pairs if tag not in text_tags)
        for first, pairs in Resolver.yaml_implicit_resolvers.items()
    }
    options = {
        "parse_datetime": False,
        "duplicate_key_policy": yaml_rs.DuplicateKeyPolicy.Error,
        "alias_limits": yaml_rs.AliasLimits(max_alias_expansions_per_anchor=0),
    }
    return yaml_rs, typed, options, set(), set()


def quick_load(text: str) -> Any:
    """What `parse_text(text)` returns, read quickly, or None when that cannot be shown here.

    Mappings are plain dicts (no line numbers); None also for a document that is not a mapping
    or list, and for every text `parse_text` would refuse that yaml-rs also refuses.
    """
    read = quick_read(text)
    return None if read is None else read[0]


def quick_read(text: str, many: bool = False, raw: bytes | None = None) -> tuple[Any, bool] | None:
    """`quick_load`, and whether the text is in the house writer's own form (`writer_form`):
    then every entry of a record's log starts on a line of its own that begins with `- `, and
    no other line after `log:` does. The form is looked for only when `many` records are read
    (its expression takes a few milliseconds to compile: a record or two is read sooner
    without it). `raw`: the text's own bytes (`decoded_as_is`), when the caller has them:
    yaml-rs reads those, sooner than the text it would encode again."""
    quick = _quick()
    if quick is None:
        return None
    yaml_rs, typed, options, known_keys, known_texts = quick
    form = writer_form() if many else None
    plain = form is not None and form.fullmatch(text) is not None
    if not plain and not _plain_enough(text):
        return None
    try:
        data = yaml_rs.loads(text, **options) if raw is None else yaml_rs.load(raw, **options)
    except Exception:
        return None
    if not isinstance(data, (dict, list)):
        return None
    if plain or _same_in_yaml_1_1(data, typed, known_keys, known_texts):
        return data, plain
    return None


@cache
def writer_form() -> re.Pattern[str] | None:
    """The form the house writer gives a record, in which no scalar can be read otherwise by
    the two readers (see above), so neither `_plain_enough` nor `_same_in_yaml_1_1` has to look:
    comment lines, then `key: value` lines, then `log:` and its entries, each a mapping
    (`- key: value`, then `  key: value` lines, a value on several lines indented further),
    each value single-quoted on one line, a plain number (`0`, `12`), `[]` or `{}`, a list of
    such values (`  - value`), or plain text that cannot be a number or another type to either
    reader: it starts with a letter and is none of YAML 1.1's yes/no/on/off words, or it is an
    id that starts with a digit and has a letter no number in any notation has. Keys are
    short, lower case and none of those words, true, false or null. Nothing else: no comment
    after `log:`, no blank line, no tab, no block or double-quoted scalar, no `: ` or ` #` in
    plain text, no character `_quick_refused_chars` refuses. A text outside this form is
    checked the long way; one inside it is read by yaml-rs as PyYAML reads it.
    (Compiled on first use; possessive repeats keep it one pass. Python 3.10 has none, and
    before 3.11.5 they could match where they should not
    (CPython gh-106052, gh-100061): there the form is not looked for, and every record is
    checked the long way.)"""
    if sys.version_info < (3, 11, 5):
        return None
    # What `_quick_refused_chars` refuses, and tab and line break, said as what is not allowed
    # (a class of a few ranges: the allowed ranges spell out most of Unicode, slow to compile).
    refused = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff"
    chars = f"^{refused}"
    plain_char = f"^#:{refused}"  # neither `#` nor `:`
    quoted_char = f"^'{refused}"  # no `'`
    # (Most keys start with a letter none of those words does: only the rest look ahead.)
    key = r"(?:[a-eg-mpqrsu-xz]|(?!(?:yes|no|on|off|true|false|null):)[fnoty])[a-z0-9_]{0,63}+"
    # No `: `, ` #`, `:` or space at the end. `#` and `:` are rare in text: the rest goes in one
    # step, and a `:` or `#` that may be there starts the next.
    rest = rf"[{plain_char}]*+(?:(?::(?![ \n])|(?<! )#)[{plain_char}]*+)*+(?<![ ])"
    words = r"[yYnNoO](?:es|ES|o|O|n|N|ff|FF|)\n"  # yes, no, on, off in every case YAML 1.1 has (and more)

    # Each value's kinds start with a character of their own, and every repeat is possessive: a
    # failed match goes back a step or two at most (no atomic group needed around them).
    def value(more: str) -> str:  # `more`: the indentation of the lines a plain value goes on to
        return (
            rf"(?:'[{quoted_char}]*+(?:''[{quoted_char}]*+)*+'"
            rf"|(?!{words})[^\W\d_]{rest}(?:\n{more}[^\W_]{rest})*+"
            # a letter no number has (not hexadecimal, octal, binary or an exponent), the first
            # such letter found in one step
            r"|[0-9][0-9a-fox]*+[g-np-wyz][0-9a-z]*+"
            r"|0|[1-9][0-9]{0,17}+|\[\]|\{\})"
        )

    field = rf"{key}:(?: {value('    ')}\n|\n(?:  - {value('    ')}\n)++)"
    return re.compile(
        rf"(?:#[{chars}]*+\n)*+(?:(?!log:){key}: {value('  ')}\n)*+log:\n(?:- {key}: {value('    ')}\n(?:  {field})*+)++"
    )


def _plain_enough(text: str) -> bool:
    """False for text with anything the two readers may read differently (see above)."""
    if not text.endswith("\n") or "\t" in text:
        return False  # (yaml-rs ends a block scalar cut off by the end of the file with a line break)
    if _has_refused_chars(text):
        return False
    tail = text.rstrip("\n ")
    if _QUICK_BLOCK_HEADER.search(tail, tail.rfind("\n") + 1):
        return False  # an empty block scalar at the end: '' to PyYAML, a line break to yaml-rs
    if text.startswith(("---", "...", "%")) or _DOCUMENT_MARK.search(text):
        return False  # a document marker or a directive
    for indicator in "&*!?[{":  # (str.find is several times quicker than a regular expression here)
        at = text.find(indicator)
        while at >= 0:
            if _at_node_start(text, at) and not _EMPTY_FLOW.match(text, at):
                return False
            at = text.find(indicator, at + 1)
    for mark in _QUICK_LEADING_ZERO.finditer(text):
        at = mark.start()
        if at and text[at - 1] in "-+":
            at -= 1
        if _at_node_start(text, at):
            return False
    if "\\" in text and _QUICK_SURROGATE_ESCAPE.search(text):
        return False
    return not _odd_number_at_node_start(text)


def _has_refused_chars(text: str) -> bool:
    """Whether `text` holds a character `_quick_refused_chars` matches. Text in Latin-1 (most
    Swedish records) is checked as bytes, in one pass that deletes the refused ones (C0 and C1
    controls but tab and line break, and DEL); any other text is first asked whether it is
    printable, since every character refused is one Python does not call printable."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return not text.replace("\n", " ").isprintable() and _quick_refused_chars().search(text) is not None
    return len(raw.translate(None, _LATIN1_REFUSED)) != len(raw)


def _odd_number_at_node_start(text: str) -> bool:
    """Whether `_QUICK_ODD_NUMBER` matches where a node may start (`_at_node_start`).

    A match ends at a `_` or a radix prefix and starts at the digits before it, or at the sign
    before those; no match starts right after a letter, digit, `_` or `.`.
    """
    cores = []  # where each possible match's digits start
    for mark in _RADIX_PREFIX.finditer(text):
        cores.append(mark.start())
    for mark in _UNDERSCORE_NOT_IN_A_WORD.finditer(text):
        start = mark.start()
        while start and "0" <= text[start - 1] <= "9":
            start -= 1
        cores.append(start)
    for core in cores:
        for start in (core - 1, core) if core and text[core - 1] in "-+" else (core,):
            if (not start or text[start - 1] not in _WORD_OR_DOT) and _at_node_start(text, start):
                return True
    return False


def _at_node_start(text: str, at: int) -> bool:
    """Whether a node may start at `at`: only spaces and dashes before it on its line, or an
    indicator (`:`, `?`, `-`, `,`, `[`, `{`) as the last thing before it. Says yes more often
    than YAML would (after `a:` in `a:b`, say), never less."""
    before = text[text.rfind("\n", 0, at) + 1 : at].rstrip(" \t")
    return not before.strip(" -") or before[-1] in ":?-,[{"


def _same_in_yaml_1_1(data: Any, typed: dict, known_keys: set, known_texts: set) -> bool:
    """True when every scalar in data is one PyYAML would have read the same way, and every key
    is text (`1` and `true` are one key to Python and two to yaml-rs: the strict reader refuses
    the pair as a duplicate, a plain dict would keep one of them). `known_keys` holds keys
    already found fine, so the same few field names are not looked up again in every entry, and
    `known_texts` the values found fine (signatures, kinds, answers, notes given again)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _QUICK_DEPTH_LIMIT:
            return False  # deep nesting: the strict reader may find it too deep (Python's recursion)
        if node.__class__ is dict:
            if not known_keys.issuperset(node):
                for key in node:
                    if key.__class__ is not str or len(key) > _QUICK_KEY_LIMIT:
                        return False
                    for regexp in typed.get(key[:1], ()):
                        if regexp.match(key):
                            return False
                    if len(known_keys) < 4096:
                        known_keys.add(key)
            values = node.values()
        else:
            values = node
        for value in values:
            kind = value.__class__
            if kind is str:
                if value in known_texts:
                    continue
                for regexp in typed.get(value[:1], ()):
                    if regexp.match(value):
                        return False
                if len(known_texts) < _KNOWN_TEXTS_MAX:
                    known_texts.add(value)
            elif kind is dict or kind is list:
                stack.append((value, depth + 1))
            elif kind is not int and kind is not bool and value is not None:
                return False  # a float (typed differently by the two versions), or anything else
    return True


_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")
_TYPED_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<", ".inf", ".nan"])
_NUMBER_START = frozenset("-+.0123456789_")
# Every plain form some reader types as a number: decimal with `_`, floats and exponents,
# `0x`/`0o`/`0b` in either case, YAML 1.1's base 60 (`1:30`), `.inf` and `.nan`. An entry id
# such as `1mkr7pgy` is none of them and stays plain.
_NUMBER_LIKE = re.compile(
    r"[-+]?(?:[0-9_]+(?:\.[0-9_]*)?(?:[eE][-+]?[0-9_]+)?|\.[0-9_]+(?:[eE][-+]?[0-9_]+)?"
    r"|0[xX][0-9a-fA-F_]*|0[oO][0-7_]*|0[bB][01_]*|[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?"
    r"|\.(?:inf|nan))",
    re.IGNORECASE,
)


def could_be_typed(value: str) -> bool:
    """Whether some YAML reader (1.1 or 1.2, PyYAML, libyaml, yaml-rs, a spreadsheet's importer)
    could read this text, written plain, as something other than text: a number in any notation
    (`0X10`, `_5`, `1_000`, `0o17`, `1:30`, `.5`, `1e3`), a boolean or null in any case. The
    writer quotes such text (`--homework 0X10 --note _5`), so every reader reads it as written."""
    if not value:
        return True
    if value.casefold() in _TYPED_WORDS:
        return True
    return value[0] in _NUMBER_START and _NUMBER_LIKE.fullmatch(value) is not None


def decoded_as_is(data: bytes) -> bool:
    """Whether `decode(data)` is the bytes' own text: no byte-order mark or carriage return
    was dropped from it."""
    return not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data


def decode(data: bytes) -> str:
    """Bytes of a text file to str: UTF-8 only, a BOM and CRLF line ends accepted."""
    if len(data) > MAX_FILE_BYTES:
        raise YamlProblem(0, "file_too_large", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem(line, "not_utf8") from None
    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab:
        raise YamlProblem(text[: tab.start()].count("\n") + 1, "yaml_tab")
    return text.replace("\r\n", "\n")


def load_file(path: Path) -> Any:
    """A YAML file read without following a link (a link or anything but a file is refused)."""
    from imr.core.files import read_regular

    return parse_text(decode(read_regular(path, MAX_FILE_BYTES)))


def dump(data: Any) -> str:
    """YAML text in the house style: block style, keys in given order, UTF-8 text as is."""
    yaml, _, _Dumper = _yaml()
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )

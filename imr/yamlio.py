"""Strict YAML reading and predictable YAML writing for records and curriculum.

Records are clinical documents under git review, so the reader is stricter than YAML
itself: duplicate keys (YAML keeps the last one silently) and anchors/aliases (one entry's
text appearing inside another) are refused; dates and timestamps stay strings so that an
impossible date becomes a clear finding instead of a crash. Every mapping remembers its line
so that findings can say `records/p-01.yaml:14`. Parsing uses libyaml when it is present.
"""

from __future__ import annotations

import re
from functools import lru_cache
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


@lru_cache(maxsize=None)
def _yaml():
    """Import PyYAML and build the strict loader and house dumper, once, on first use.

    Commands whose inputs are all in the cache (see `imr.cache`) never pay for this import.
    """
    import yaml

    try:  # libyaml's C parser is several times faster; the pure-Python one is the fallback.
        from yaml import CSafeDumper as _BaseDumper
        from yaml import CSafeLoader as _BaseLoader
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
        from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    merge_tag = "tag:yaml.org,2002:merge"
    text_tags = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp")
    scalar_node = yaml.ScalarNode
    sequence_node = yaml.SequenceNode
    sequence_tag = _BaseLoader.DEFAULT_SEQUENCE_TAG
    mapping_tag = _BaseLoader.DEFAULT_MAPPING_TAG

    plain_tags: dict[str, str] = {}
    base_resolve = _BaseLoader.resolve

    class _StrictLoader(_BaseLoader):
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

        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            if node in self.constructed_objects:
                raise YamlProblem(node.start_mark.line + 1, "yaml_alias")
            return super().construct_object(node, deep)

    def _construct_map(loader: _StrictLoader, node: yaml.MappingNode):
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

    def _construct_plain_string(loader: _StrictLoader, node: yaml.ScalarNode) -> str:
        return loader.construct_scalar(node)

    _StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    _StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_plain_string)

    class _Dumper(_BaseDumper):
        pass

    def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _represent_str)
    _Dumper.add_representer(LineDict, _Dumper.represent_dict)

    return yaml, _StrictLoader, _Dumper


def parse_text(text: str) -> Any:
    """Parse one YAML document strictly; raise YamlProblem with a line number."""
    yaml, _StrictLoader, _ = _yaml()
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict safe loader
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
    tab = _TAB_INDENT.search(text)
    if tab:
        raise YamlProblem(text[: tab.start()].count("\n") + 1, "yaml_tab")
    return text.replace("\r\n", "\n")


def load_file(path: Path) -> Any:
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    return parse_text(decode(data))


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

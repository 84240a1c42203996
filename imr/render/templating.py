"""Markdown from Jinja templates, with record text escaped by default.

The environment escapes every `{{ value }}` with `escape_markdown` unless the value is
`Trusted` (curriculum Markdown), so a template cannot forget to escape a note or a goal: the
safe thing happens without asking. Templates are looked up in the workspace's own
`templates/render/` first, then in the built-in one, file by file.

Every template renders in Jinja's immutable sandbox with no globals but the label function
`t`, and gets plain data (dicts, lists, strings), so a workspace's template override can
arrange text but cannot reach Python: `{{ cycler.__init__.__globals__.os }}` is refused.
The layout files that could run code (the Lua filter, page.typ, print.css, reference.docx)
are never taken from a workspace; `override_findings` lists the overrides a workspace has.

A template is read without following links (a link among a workspace's templates is not used:
the built-in template is), and renders within limits, so a bad override fails that render with
a message instead of hanging the ward's computer: powers and repetitions that would make huge
numbers or texts are refused (`{{ 7**(10**10) }}`, `{{ "a"*10**10 }}`, a filter asked for a
width of billions), no text or list built inside the template (`s ~ s`, `s + s`, `%`, `replace`,
`indent`, `format`, `join`) may grow past `MAX_OUTPUT_CHARS` either (so a loop that doubles a
text stops with a message), the output may not grow past `MAX_OUTPUT_CHARS`, and the render stops after
`MAX_SECONDS` (checked at every output chunk and every attribute, item, call and operator).

Compiled templates are kept in this user's cache folder (`imr.core.cache.user_folder("cache")`,
never in a workspace: bytecode is code, and a workspace folder can come from anyone), one
folder per imr version, Jinja version, Python and this module, so a change to the sandbox or
its limits compiles afresh. Jinja keys each file by the template's path and a checksum of its
source, so an edited override is compiled again and two workspaces never share an entry.
"""

from __future__ import annotations

import inspect
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr import __version__
from imr.core import resources
from imr.core.cache import digest, user_folder
from imr.core.errors import ImrError
from imr.core.files import read_regular
from imr.records.findings import Finding
from imr.render.escape import Trusted, escape_markdown

_ATTRIBUTE = re.compile(r"[a-z0-9][a-z0-9_-]{0,60}")


def trusted(text: str) -> Trusted:
    return Trusted(text)


def template_dirs(workspace_root: Path | None) -> list[Path]:
    return [
        base / "render" for base in resources.search_path("templates", workspace_root) if (base / "render").is_dir()
    ]


def _finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Trusted):
        return value
    return escape_markdown(value)


def _attribute(value: Any) -> Trusted:
    """A value for a Markdown attribute (`kind=…`): only plain identifiers are allowed."""
    text = str(value)
    if not _ATTRIBUTE.fullmatch(text):
        raise ValueError(f"not an attribute value: {text[:40]!r}")
    return Trusted(text)


MAX_OUTPUT_CHARS = 20_000_000  # far above any handout or report (a long record is about 1 MB)
MAX_SECONDS = 60.0  # a long report renders in well under a second
MAX_TEXT_REPEAT = 1_000_000  # characters or items from `text * n`
MAX_POWER_BITS = 4096  # `a ** b` only while the result stays below 2**4096
MAX_FILTER_NUMBER = 100_000  # a number given to a filter (a width, a count)
_WIDE_FORMAT = re.compile(r"[0-9]{6,}")


class TemplateLimit(Exception):
    """A template went past a limit; turned into one user error by `render_template`."""


_limits = threading.local()


def _tick() -> None:
    deadline = getattr(_limits, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise TemplateLimit("time")


def _checked_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
        if isinstance(right, int) and isinstance(left, int):
            if right > 0 and max(abs(left).bit_length(), 1) * right > MAX_POWER_BITS and abs(left) > 1:
                raise TemplateLimit("number")
        elif abs(right) > MAX_POWER_BITS:
            raise TemplateLimit("number")
    elif operator == "*":
        for text, count in ((left, right), (right, left)):
            if (
                isinstance(text, (str, list, tuple))
                and isinstance(count, int)
                and count * max(len(text), 1) > MAX_TEXT_REPEAT
            ):
                raise TemplateLimit("size")
    elif operator == "%" and isinstance(left, str):
        if _WIDE_FORMAT.search(left):
            raise TemplateLimit("size")
        values = right if isinstance(right, (tuple, list)) else (right,)
        _check_size(len(left) + sum(_length(value) for value in values) * max(left.count("%"), 1))
    elif operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        _check_size(len(left) + len(right))


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 32


def _check_size(size: int) -> None:
    """Refuse a text or list a template is about to build past the output limit."""
    if size > MAX_OUTPUT_CHARS:
        raise TemplateLimit("size")


def _concat(parts: tuple[Any, ...]) -> str:
    """`a ~ b ~ c`: Jinja's own joining, bounded like every other way of growing a text."""
    _tick()
    texts = [str(part) for part in parts]
    _check_size(sum(len(text) for text in texts))
    return "".join(texts)


def _check_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """A text's own method (`s.ljust(n)`, `s.replace(a, s)`, `s.join(items)`, `"{:>n}".format(x)`)
    bounded like the filters that do the same."""
    method = inspect.unwrap(method)  # the sandbox wraps `str.format` in a function of its own
    text = getattr(method, "__self__", None)
    if not isinstance(text, str):
        return
    name = getattr(method, "__name__", "")
    values = list(args) + list(kwargs.values())
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_FILTER_NUMBER:
            raise TemplateLimit("size")
    if name in ("format", "format_map") and _WIDE_FORMAT.search(text):
        raise TemplateLimit("size")
    if name == "replace" and len(values) >= 2:
        _check_size(_filter_size("do_replace", (text, *values), {}))
    elif name == "join" and values and isinstance(values[0], (list, tuple)):
        _check_size(sum(_length(item) + len(text) for item in values[0]))
    elif name in ("format", "format_map"):
        _check_size(len(text) + sum(_length(value) for value in values) * max(text.count("{"), 1))


def _filter_size(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """How long a growing filter's result can be, at most, before it is computed."""
    values = list(args[1:]) + list(kwargs.values())
    first = args[0] if args else ""
    if name == "do_replace" and isinstance(first, str) and len(values) >= 2:
        old, new = str(values[0]), str(values[1])
        return len(first) + (first.count(old) if old else len(first) + 1) * len(new)
    if name == "do_indent" and isinstance(first, str):
        width = max((_length(value) for value in values), default=4)
        return len(first) + (first.count("\n") + 1) * width
    if name == "do_format" and isinstance(first, str):
        return len(first) + sum(_length(value) for value in values) * max(first.count("%"), 1)
    if name in ("do_join", "sync_do_join") and isinstance(first, (list, tuple)):
        glue = _length(values[0]) if values else 0
        return sum(_length(item) + glue for item in first)
    return 0


def _limited_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    def limited(*args: Any, **kwargs: Any) -> Any:
        _tick()
        for value in list(args[1:]) + list(kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_FILTER_NUMBER:
                raise TemplateLimit("size")
            if isinstance(value, str) and len(value) < 200 and _WIDE_FORMAT.search(value):
                raise TemplateLimit("size")
        if args and isinstance(args[0], str) and _WIDE_FORMAT.search(args[0]) and function.__name__ == "do_format":
            raise TemplateLimit("size")
        data = args[1:] if hasattr(function, "jinja_pass_arg") else args  # past a context or environment
        _check_size(_filter_size(function.__name__, data, kwargs))
        return function(*args, **kwargs)

    for name in ("jinja_pass_arg", "environmentfilter", "contextfilter", "evalcontextfilter"):
        if hasattr(function, name):
            setattr(limited, name, getattr(function, name))
    limited.__name__ = getattr(function, "__name__", "filter")
    return limited


def _loader(dirs: list[Path]):
    import jinja2  # lazy: 21 ms on imr render --help
    from jinja2.loaders import split_template_path

    class NoLinkLoader(jinja2.BaseLoader):
        """The first regular file of that name in the template folders; a link (or a file under
        a linked folder) is passed over, so the next folder's (the built-in) template is used."""

        def get_source(self, environment, template):
            pieces = split_template_path(template)
            for base in dirs:
                path = base.joinpath(*pieces)
                if not _no_link_below(base, pieces):
                    continue
                try:
                    raw = read_regular(path)
                except (OSError, ImrError):
                    continue
                mtime = os.lstat(path).st_mtime_ns

                def fresh(path: Path = path, mtime: int = mtime) -> bool:
                    try:
                        return os.lstat(path).st_mtime_ns == mtime
                    except OSError:
                        return False

                return raw.decode("utf-8"), str(path), fresh
            raise jinja2.TemplateNotFound(template)

    return NoLinkLoader()


def _no_link_below(base: Path, pieces: list[str]) -> bool:
    current = base
    for piece in ["", *pieces[:-1]]:
        current = current / piece if piece else current
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return False
        except OSError:
            return False
    return True


def bytecode_folder() -> Path | None:
    """This user's folder of compiled templates for this imr, Jinja, Python and sandbox; None
    when it cannot be made or is not a private folder of this user's own (then templates are
    compiled on every run, as before)."""
    import jinja2  # lazy: 21 ms on imr render --help

    here = os.stat(__file__)
    key = digest(f"{__version__}|{jinja2.__version__}|{sys.version}|{here.st_size}|{here.st_mtime_ns}".encode())
    folder = user_folder("cache") / "templates" / key[:16]
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return folder


def _bytecode_cache():
    """Jinja's file cache of compiled templates, quiet about a folder it cannot read or write
    and about a damaged file (the template is compiled again)."""
    from jinja2.bccache import FileSystemBytecodeCache

    folder = bytecode_folder()
    if folder is None:
        return None

    class QuietCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except Exception:  # unreadable or damaged: compiled again, as without a cache
                bucket.reset()

        def dump_bytecode(self, bucket):
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return QuietCache(str(folder))


@lru_cache(maxsize=8)
def environment(workspace_root: Path | None):
    import jinja2  # lazy: 21 ms on imr render --help
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class LimitedCodeGenerator(CodeGenerator):
        """`~` calls the sandbox's bounded join instead of Jinja's unchecked one."""

        def visit_Concat(self, node, frame):
            self.write("environment.concat((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class LimitedSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["**", "*", "%", "//", "+"])
        code_generator_class = LimitedCodeGenerator

        def concat(self, parts):
            return _concat(parts)

        def call_binop(self, context, operator, left, right):
            _tick()
            _checked_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

        def getattr(self, obj, attribute):
            _tick()
            return super().getattr(obj, attribute)

        def getitem(self, obj, argument):
            _tick()
            return super().getitem(obj, argument)

        def call(__self, __context, __obj, *args, **kwargs):
            _tick()
            _check_method(__obj, args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

    env = LimitedSandbox(
        loader=_loader(template_dirs(workspace_root)),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.globals.clear()  # no range, cycler, joiner, namespace, lipsum, dict: only the data given
    env.filters["attr"] = _attribute
    for name, function in list(env.filters.items()):
        env.filters[name] = _limited_filter(function)
    return env


def render_template(workspace_root: Path | None, name: str, context: dict[str, Any], label: Callable[..., str]) -> str:
    """One template to Markdown; any template problem becomes one user error."""
    import jinja2  # lazy: 21 ms on imr render --help
    from jinja2.exceptions import SecurityError

    try:
        template = environment(workspace_root).get_template(name)
        return _render_limited(template, {**context, "t": label})
    except TemplateLimit as err:
        where, line = _template_frame(err, name)
        raise ImrError("render_template_limit", template=where, line=line, limit=str(err)) from None
    except (MemoryError, RecursionError, OverflowError) as err:
        where, line = _template_frame(err, name)
        raise ImrError("render_template_limit", template=where, line=line, limit=type(err).__name__) from None
    except SecurityError as err:
        where, _ = _template_frame(err, name)
        raise ImrError("render_template_unsafe", template=where, problem=str(err)[:120]) from None
    except jinja2.TemplateSyntaxError as err:
        raise ImrError(
            "render_template_error",
            template=err.name or name,
            line=err.lineno or 0,
            problem=err.message or type(err).__name__,
        ) from None
    except jinja2.TemplateNotFound as err:
        raise ImrError("render_template_missing", template=str(err.name)) from None
    except (jinja2.TemplateError, ValueError, TypeError, KeyError, AttributeError) as err:
        where, line = _template_frame(err, name)
        raise ImrError("render_template_error", template=where, line=line, problem=str(err)[:200]) from None


def _render_limited(template: Any, context: dict[str, Any]) -> str:
    """Render chunk by chunk, stopping at the time and size limits."""
    outer = getattr(_limits, "deadline", None)
    if outer is None:
        _limits.deadline = time.monotonic() + MAX_SECONDS
    try:
        parts = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateLimit("size")
            _tick()
            parts.append(chunk)
        return "".join(parts)
    finally:
        if outer is None:
            _limits.deadline = None


def _template_frame(err: BaseException, default: str) -> tuple[str, int]:
    """The template file and line where rendering failed (Jinja puts them in the traceback)."""
    import traceback  # lazy: 2 ms on imr render handout

    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename).name, frame.lineno or 0
    return default, 0


# What a workspace may override: the Jinja templates (sandboxed). The rest is listed as ignored.
TEMPLATE_SUFFIX = ".md.j2"


def override_findings(workspace_root: Path | None) -> list:
    """Files in a workspace's templates/render/ that differ from the built-in ones, for
    `imr check`: a Jinja template override (used, in the sandbox) or any other file (ignored:
    only imr's own Lua filter, page.typ, print.css, reference.docx and fonts are used)."""

    if workspace_root is None:
        return []
    own = Path(workspace_root) / "templates" / "render"
    builtin = resources.builtin_dir("templates") / "render"
    if not own.is_dir() or own.resolve() == builtin.resolve():
        return []
    findings = []
    for path in sorted(p for p in own.rglob("*") if p.is_file() or p.is_symlink()):
        relative = path.relative_to(own).as_posix()
        shown = f"templates/render/{relative}"
        reference = builtin / relative
        if path.is_symlink():
            findings.append(Finding(shown, 0, "template_override_link", {"file": relative}))
            continue
        try:
            same = reference.is_file() and reference.read_bytes() == path.read_bytes()
        except OSError:
            same = False
        if same:
            continue
        if relative.endswith(TEMPLATE_SUFFIX) and "/" not in relative:
            code = "template_override" if reference.is_file() else "template_override_new"
        else:
            code = "template_override_ignored"
        findings.append(Finding(shown, 0, code, {"file": relative}))
    return findings

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
"""

from __future__ import annotations

import re
import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from imr import resources
from imr.errors import ImrError
from imr.records.findings import Finding
from imr.render.escape import Trusted, escape_markdown

_ATTRIBUTE = re.compile(r"[a-z0-9][a-z0-9_-]{0,60}")


def trusted(text: str) -> Trusted:
    return Trusted(text)


def template_dirs(workspace_root: Path | None) -> list[Path]:
    return [base / "render" for base in resources.search_path("templates", workspace_root)
            if (base / "render").is_dir()]


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


@lru_cache(maxsize=8)
def environment(workspace_root: Path | None):
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(workspace_root)]),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.clear()  # no range, cycler, joiner, namespace, lipsum, dict: only the data given
    env.filters["attr"] = _attribute
    return env


def render_template(workspace_root: Path | None, name: str, context: dict[str, Any],
                    label: Callable[..., str]) -> str:
    """One template to Markdown; any template problem becomes one user error."""
    import jinja2
    from jinja2.exceptions import SecurityError

    try:
        template = environment(workspace_root).get_template(name)
        return template.render(**context, t=label)
    except SecurityError as err:
        where, _ = _template_frame(err, name)
        raise ImrError("render_template_unsafe", template=where, problem=str(err)[:120]) from None
    except jinja2.TemplateSyntaxError as err:
        raise ImrError("render_template_error", template=err.name or name, line=err.lineno or 0,
                       problem=err.message or type(err).__name__) from None
    except jinja2.TemplateNotFound as err:
        raise ImrError("render_template_missing", template=str(err.name)) from None
    except (jinja2.TemplateError, ValueError, TypeError, KeyError, AttributeError) as err:
        where, line = _template_frame(err, name)
        raise ImrError("render_template_error", template=where, line=line, problem=str(err)[:200]) from None


def _template_frame(err: BaseException, default: str) -> tuple[str, int]:
    """The template file and line where rendering failed (Jinja puts them in the traceback)."""
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

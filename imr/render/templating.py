"""Markdown from Jinja templates, with record text escaped by default.

The environment escapes every `{{ value }}` with `escape_markdown` unless the value is
`Trusted` (curriculum Markdown), so a template cannot forget to escape a note or a goal: the
safe thing happens without asking. Templates are looked up in the workspace's own
`templates/render/` first, then in the built-in one, file by file.
"""

from __future__ import annotations

import re
import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from imr import resources
from imr.errors import ImrError
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

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(workspace_root)]),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["attr"] = _attribute
    return env


def render_template(workspace_root: Path | None, name: str, context: dict[str, Any],
                    label: Callable[..., str]) -> str:
    """One template to Markdown; any template problem becomes one user error."""
    import jinja2

    try:
        template = environment(workspace_root).get_template(name)
        return template.render(**context, t=label)
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

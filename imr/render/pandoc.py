"""Running pandoc (from the pypandoc-binary wheel) with imr's filter, template and styles.

A whole bundle is one pandoc process: starting pandoc costs more than converting a handout,
so the parts go through together, and several documents for Typst even share one process
(their outputs are split at a marker the filter writes). Output is reproducible: the
document timestamp is fixed through SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import base64
import os
import subprocess
from functools import lru_cache
from pathlib import Path

from imr.core import resources
from imr.core.errors import ImrError

FIXED_EPOCH = 946684800  # 2000-01-01T00:00:00Z, the timestamp every document carries
DOCUMENT_SEPARATOR = "// imr-document-end"
READER = "markdown-simple_tables-multiline_tables-grid_tables-yaml_metadata_block-pandoc_title_block-citations"


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc binary inside the pypandoc-binary wheel, found without importing pypandoc."""
    from importlib.util import find_spec

    spec = find_spec("pypandoc")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
            if candidate.is_file():
                return str(candidate)
    try:
        import pypandoc  # lazy: 32 ms on imr render

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        raise ImrError("render_pandoc_missing") from None


# Files that can run code or steer a converter (a Lua filter, Typst, CSS that fetches, a DOCX
# with fields and macros): always the built-in ones, whatever a workspace holds.
BUILTIN_ONLY = ("imr.lua", "page.typ", "print.css", "reference.docx", "page.html")


def template_file(workspace_root: Path | None, name: str) -> Path:
    """A layout file of the renderer. The code-bearing ones come from imr itself only: a copy
    in a workspace's templates/render/ is ignored (`templating.override_findings` lists it)."""
    if name in BUILTIN_ONLY:
        workspace_root = None
    path = resources.find_file("templates", f"render/{name}", workspace_root)
    if path is None:
        raise ImrError("render_template_missing", template=name)
    return path


def _language(lang: str) -> str:
    return {"sv": "sv-SE", "en": "en-GB"}.get(lang, lang)


def convert(
    markdown: str,
    to: str,
    *,
    lang: str,
    title: str,
    workspace_root: Path | None,
    toc_title: str = "",
    labels: dict | None = None,
    header: str = "",
    sender: str = "",
) -> bytes:
    """Markdown to `typst` (body only), `html` (standalone, self-contained) or `docx`."""
    args = [
        pandoc_path(),
        "--quiet",
        "-f",
        READER,
        "-t",
        to,
        "--lua-filter",
        str(template_file(workspace_root, "imr.lua")),
        "-M",
        f"lang={_language(lang)}",
        "-M",
        f"pagetitle={title}",
        "-M",
        f"imr-toc-title={toc_title}",
    ]
    labels = labels or {}
    for key, meta in (("voice_label", "imr-voice-label"), ("crisis_title", "imr-crisis-title")):
        if labels.get(key):
            args += ["-M", f"{meta}={labels[key]}"]
    for key, value in labels.items():  # the pictures' alt texts (imr.lua reads them)
        if key.startswith("picture_") and isinstance(value, str):
            args += ["-M", f"imr-picture-{key[len('picture_') :]}={value}"]
    if to == "html":
        css = template_file(workspace_root, "print.css").read_text(encoding="utf-8")
        args += [
            "-s",
            "--template",
            str(template_file(workspace_root, "page.html")),
            "-V",
            f"imr-css={css}",
            "-V",
            f"imr-header={css_string(header)}",
            "-V",
            f"imr-sender={css_string(sender)}",
            "-V",
            f"imr-sender-text={html_text(sender)}",
            "--wrap=none",
        ]
    elif to == "docx":
        args += ["--reference-doc", str(template_file(workspace_root, "reference.docx"))]
    args += ["-o", "-"]
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(FIXED_EPOCH))
    try:
        done = subprocess.run(args, input=markdown.encode("utf-8"), capture_output=True, env=env)
    except OSError as err:
        raise ImrError("render_pandoc_failed", problem=str(err)) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ImrError("render_pandoc_failed", problem=(message[0] if message else f"exit {done.returncode}")[:300])
    return done.stdout


def convert_many_to_typst(
    markdowns: list[str], *, lang: str, workspace_root: Path | None, labels: dict | None = None
) -> list[str]:
    """Several documents to Typst bodies in one pandoc process."""
    if not markdowns:
        return []
    joined = "\n\n::: {.imr-document}\n:::\n\n".join(markdowns)
    out = convert(joined, "typst", lang=lang, title="", workspace_root=workspace_root, labels=labels).decode("utf-8")
    bodies = out.split(DOCUMENT_SEPARATOR + "\n")
    if len(bodies) != len(markdowns):
        raise ImrError("render_pandoc_failed", problem=f"{len(bodies)} documents out of {len(markdowns)}")
    return bodies


def html_text(text: str) -> str:
    """Plain text for an HTML template variable (pandoc inserts variables as they are)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def css_string(text: str) -> str:
    """Text as a CSS string literal for `@page` margin boxes: every character that could end
    the string or the rule is written as a CSS escape, so record text stays text."""
    out = []
    for ch in str(text):
        if ch.isalnum() or ch in " .,:;·–-()/":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


@lru_cache(maxsize=1)
def embedded_fonts_css() -> str:
    """@font-face rules with the shipped Atkinson Hyperlegible inlined (regular and bold), so an
    HTML file shows the same type as the PDF on a computer that does not have it."""
    folder = resources.builtin_dir("templates") / "render" / "fonts"
    rules = []
    for weight, name in (("normal", "Regular"), ("bold", "Bold")):
        path = folder / f"AtkinsonHyperlegible-{name}.ttf"
        if path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            rules.append(
                f'@font-face {{ font-family: "Atkinson Hyperlegible"; font-weight: {weight}; '
                f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}'
            )
    return "\n".join(rules) + "\n"

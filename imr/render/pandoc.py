"""Running pandoc (from the pypandoc-binary wheel) with imr's reader, filter, template and styles.

Starting pandoc costs more than converting a handout, so the parts of a bundle go through
together, and several documents for Typst even share a run (their outputs are split at a
marker the filter writes). A large run for Typst is cut at part boundaries into a few pieces
that pandoc processes convert at once, one per core: imr-reader.lua reads every part on its
own and imr.lua leaves links between parts to `_resolve_links`, so the Typst is the same
whether converted in one piece or several. Output is reproducible: the document timestamp is
fixed through SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from imr.core import resources
from imr.core.errors import ImrError
from imr.records.parallel import usable_cores

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
BUILTIN_ONLY = ("imr.lua", "imr-reader.lua", "page.typ", "print.css", "reference.docx", "page.html")


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


def _reader(markdown: str, workspace_root: Path | None) -> str:
    """imr-reader.lua, which reads each part on its own, for a text of several parts; pandoc's
    own reader (the same result for one part, and about 25 ms faster: pandoc's Lua reader
    costs a full garbage collection) for a single handout."""
    if PART_MARKER in markdown:
        return str(template_file(workspace_root, "imr-reader.lua"))
    return READER


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
    first_document: int = 1,
) -> bytes:
    """Markdown to `typst` (body only), `html` (standalone, self-contained) or `docx`.
    `first_document`: the number of the first document in `markdown` when it is a piece of a
    larger run (`convert_many_to_typst`)."""
    args = [
        pandoc_path(),
        "--quiet",
        "-f",
        _reader(markdown, workspace_root),
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
    if first_document != 1:
        args += ["-M", f"imr-first-document={first_document}"]
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
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(FIXED_EPOCH), IMR_PANDOC_READER=READER)
    try:
        done = subprocess.run(args, input=markdown.encode("utf-8"), capture_output=True, env=env)
    except OSError as err:
        raise ImrError("render_pandoc_failed", problem=str(err)) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ImrError("render_pandoc_failed", problem=(message[0] if message else f"exit {done.returncode}")[:300])
    return done.stdout


DOCUMENT_MARKER = "::: {.imr-document}"
PART_MARKER = "\n::: {.imr-part n="  # imr.render.markdown writes it; imr-reader.lua splits at it
PIECE_END = "\n::: {.imr-piece-end}\n:::\n"  # where imr.lua writes the table of a piece's last part
# A piece smaller than this is not worth a pandoc process of its own (starting one costs about
# as much as converting 10,000 characters); a single handout is about 5,000.
MIN_PIECE = 20_000
# More pieces than this gain little (typst, one compile, then takes most of the time) and each
# pandoc process holds about 180 MB while it runs (the whole bundle in one: the same).
MAX_PIECES = 4


def convert_many_to_typst(
    markdowns: list[str],
    *,
    lang: str,
    workspace_root: Path | None,
    labels: dict | None = None,
    processes: int | None = None,
) -> list[str]:
    """Several documents to Typst bodies, in one pandoc run cut into up to `processes` pieces
    converted at once (by default one per core, at most MAX_PIECES, each at least MIN_PIECE
    long)."""
    if not markdowns:
        return []
    joined = f"\n\n{DOCUMENT_MARKER}\n:::\n\n".join(markdowns)
    pieces = split_at_parts(joined, processes or _piece_count(len(joined)))

    def run(piece: tuple[str, int]) -> str:
        text, first_document = piece
        data = convert(
            text,
            "typst",
            lang=lang,
            title="",
            workspace_root=workspace_root,
            labels=labels,
            first_document=first_document,
        )
        return data.decode("utf-8")

    if len(pieces) == 1:
        outputs = [run(pieces[0])]
    else:  # threads, each waiting on its own pandoc process (no fork: also on Windows and macOS)
        from concurrent.futures import ThreadPoolExecutor  # lazy: 4 ms on imr render handout (logging)

        with ThreadPoolExecutor(max_workers=len(pieces)) as pool:
            outputs = list(pool.map(run, pieces))
    out = _resolve_links("".join(outputs))
    bodies = out.split(DOCUMENT_SEPARATOR + "\n")
    if len(bodies) != len(markdowns):
        raise ImrError("render_pandoc_failed", problem=f"{len(bodies)} documents out of {len(markdowns)}")
    return bodies


def _piece_count(length: int) -> int:
    return max(1, min(usable_cores(), MAX_PIECES, length // MIN_PIECE))


def split_at_parts(markdown: str, count: int) -> list[tuple[str, int]]:
    """`markdown` cut before part markers into at most `count` pieces of about equal length,
    each with the number of the document it starts in."""
    starts = [0]
    if count > 1:
        bounds = [m.start() + 1 for m in re.finditer(re.escape(PART_MARKER), markdown)]
        for k in range(1, count):
            goal = len(markdown) * k // count
            best = min(bounds, key=lambda b: abs(b - goal), default=0)
            if best > starts[-1]:
                starts.append(best)
    ends = [*starts[1:], len(markdown)]
    return [
        (markdown[a:b] + (PIECE_END if b < len(markdown) else ""), 1 + markdown.count(DOCUMENT_MARKER, 0, a))
        for a, b in zip(starts, ends, strict=True)
    ]


# The table imr.lua writes after each part (never text from a document: the Typst writer
# escapes a "//" at the start of a line of text) and the stand-in targets of its deferred links.
_PART_TABLE = re.compile(r"^// imr-part (\d+):(\d+) (.*)\n", re.MULTILINE)
_STAND_IN = re.compile(r"#link\(<(imr-xref-\d+-\d+-\d+)>\)")
_LABEL_CHARS = re.compile(r"[\w.:-]+")


def _resolve_links(typst: str) -> str:
    """Point each link imr.lua deferred at the first part of its document that has the id it
    names (as imr.lua does itself for HTML and DOCX); one whose id no part has keeps only its
    text. Then take the part tables out."""
    first_with: dict[str, dict[str, str]] = {}
    deferred: dict[str, tuple[str, str]] = {}
    for match in _PART_TABLE.finditer(typst):
        document = match.group(1)
        table = json.loads(match.group(3))
        known = first_with.setdefault(document, {})
        for old, new in (table.get("ids") or {}).items():
            known.setdefault(old, new)
        for stand_in, old in (table.get("links") or {}).items():
            deferred[stand_in] = (document, old)

    def link(match: re.Match) -> str:
        found = deferred.get(match.group(1))
        if found is None:
            return match.group(0)
        new = first_with.get(found[0], {}).get(found[1])
        if new is None:
            return "#"  # `#[text]`: the link's text alone
        return f"#link({_typst_label(new)})"

    return _STAND_IN.sub(link, _PART_TABLE.sub("", typst))


def _typst_label(name: str) -> str:
    """A label as pandoc's Typst writer writes it: `<name>`, or `label("…")` for other names."""
    if _LABEL_CHARS.fullmatch(name):
        return f"<{name}>"
    return 'label("' + name.replace("\\", "\\\\").replace('"', '\\"') + '")'


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
    import base64  # lazy: 1 ms on imr render handout

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

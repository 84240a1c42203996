"""Typst bodies to PDF with the `typst` package: A4, the shipped fonts only, fixed timestamp.

Only the fonts that ship with imr (templates/render/fonts/, Atkinson Hyperlegible) and inside
typst are used, never the machine's, so the same input gives the same bytes on every
computer. A warning about a missing font is an error, because a PDF printed in a fallback
font is not what the ward asked for. Several documents compile in parallel threads (typst
releases the GIL).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imr.core import resources
from imr.core.errors import ImrError
from imr.render.documents import Document
from imr.render.pandoc import FIXED_EPOCH, template_file

_REGIONS = {"sv": "SE", "en": "GB"}


def font_dirs(workspace_root: Path | None = None) -> list[str]:
    """The fonts PDFs may use: imr's own. A workspace cannot add any, since page.typ (which
    names the font) is always the built-in one."""
    folder = resources.builtin_dir("templates") / "render" / "fonts"
    return [str(folder)] if folder.is_dir() else []


_fonts_lock = threading.Lock()
_fonts_cache: dict[tuple[str, ...], Any] = {}


def _fonts(dirs: tuple[str, ...]):
    with _fonts_lock:
        if dirs not in _fonts_cache:
            import typst  # lazy: 3 ms on imr render --format md

            _fonts_cache[dirs] = typst.Fonts(
                include_system_fonts=False, include_embedded_fonts=True, font_paths=list(dirs)
            )
        return _fonts_cache[dirs]


def warm_up(workspace_root: Path | None) -> None:
    """Load typst and its fonts in a background thread; the first compile then finds them."""
    threading.Thread(target=_fonts, args=(tuple(font_dirs(workspace_root)),), daemon=True).start()


def document_inputs(document: Document, labels: dict[str, Any]) -> dict[str, str]:
    """What page.typ reads from `sys.inputs`: plain data as JSON, never Typst code."""
    data = {
        "lang": document.lang,
        "region": _REGIONS.get(document.lang, ""),
        "title": document.title,
        "duplex": document.duplex,
        "page_label": labels.get("page", "{page} / {total}"),
        "continued_label": labels.get("continued", "{title}"),
        "toc_title": labels.get("contents", ""),
        "toc": document.toc() if document.contents else [],
        "imrs": document.imrs,
        "charts": document.charts or {},
        "parts": [
            {
                "left": part.header_left,
                "right": part.header_right,
                "personal": part.personal_line,
                "plain": part.plain,
                "sender": part.sender,
                "part_pages": part.part_pages,
            }
            for part in document.parts
        ],
    }
    return {"imr": json.dumps(data, ensure_ascii=False)}


def typst_source(body: str, workspace_root: Path | None) -> str:
    preamble = template_file(workspace_root, "page.typ").read_text(encoding="utf-8")
    return preamble + "\n" + body


def compile_pdf(source: str, inputs: dict[str, str], workspace_root: Path | None) -> tuple[bytes, list[str]]:
    """One Typst source to PDF bytes, with the warnings that are not errors."""
    import typst  # lazy: 3 ms on imr render --format md

    root = template_file(workspace_root, "page.typ").parent
    try:
        pdf, warnings = typst.compile_with_warnings(
            source.encode("utf-8"),
            root=str(root),
            font_paths=_fonts(tuple(font_dirs(workspace_root))),
            ignore_system_fonts=True,
            sys_inputs=inputs,
            timestamp=FIXED_EPOCH,
        )
    except typst.TypstError as err:
        raise ImrError("render_typst_failed", problem=_first_line(getattr(err, "message", str(err)))) from None
    messages = [_first_line(getattr(w, "message", str(w))) for w in warnings]
    for message in messages:
        if "font" in message.lower():
            raise ImrError("render_font_missing", problem=message)
    return pdf, messages


def compile_many(
    jobs: list[tuple[str, dict[str, str]]], workspace_root: Path | None, done: Callable[[int], None] | None = None
) -> list[tuple[bytes, list[str]]]:
    """Compile several documents at once, one thread each (up to the number of cores)."""
    if len(jobs) <= 1:
        results = [compile_pdf(source, inputs, workspace_root) for source, inputs in jobs]
        if done and jobs:
            done(1)
        return results
    from concurrent.futures import ThreadPoolExecutor  # lazy: 4 ms on imr render handout (logging)

    workers = min(len(jobs), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(compile_pdf, source, inputs, workspace_root) for source, inputs in jobs]
        results = []
        for index, future in enumerate(futures, start=1):
            results.append(future.result())
            if done:
                done(index)
    return results


def _first_line(text: str) -> str:
    text = str(text).strip()
    return (text.splitlines()[0] if text else "")[:300]

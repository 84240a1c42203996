"""User-facing labels and messages, loaded from `templates/strings/<lang>.yaml`.

Keeping every sentence a user reads in data means a translation is a new file, not a code
change, and a workspace can adjust wording by overriding the file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from imr.core import resources

DEFAULT_LANG = "sv"
LANGUAGES = ("sv", "en")


@lru_cache(maxsize=8)
def _load(lang: str, workspace_root: Path | None) -> dict[str, Any]:
    """Merge `templates/strings/<lang>/*.yaml` (one file per feature), Swedish underneath."""
    from imr.core.cache import YamlCache

    cache = YamlCache(workspace_root, "strings")
    data: dict[str, Any] = {}
    langs = [DEFAULT_LANG] if lang == DEFAULT_LANG else [DEFAULT_LANG, lang]
    for code in langs:
        for base in reversed(resources.search_path("templates", workspace_root)):
            folder = base / "strings" / code
            if folder.is_dir():
                for path in sorted(folder.glob("*.yaml")):
                    loaded = cache.load(path)
                    data = _merge(data, loaded if isinstance(loaded, dict) else {})
    cache.save()
    return data


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def strings(lang: str = DEFAULT_LANG, workspace_root: Path | None = None) -> dict[str, Any]:
    """All labels for a language, falling back to Swedish key by key."""
    return _load(lang if lang in LANGUAGES else DEFAULT_LANG, workspace_root)


def label(
    section: str, key: str, lang: str = DEFAULT_LANG, workspace_root: Path | None = None, **params: object
) -> str:
    table = strings(lang, workspace_root).get(section, {})
    text = table.get(key)
    if text is None:
        return key
    return text.format(**params) if params else text


def error_message(code: str, params: dict[str, object], lang: str = DEFAULT_LANG) -> str:
    table = strings(lang).get("errors", {})
    template = table.get(code) or table.get("unknown", "{code}")
    try:
        return template.format(code=code, **params)
    except (KeyError, IndexError):
        return template


def plural(n: int, one: str, many: str) -> str:
    """`1 grupp`, `2 grupper`: the count and the form that agrees with it (Swedish and English)."""
    return f"{n} {one if n == 1 else many}"


def number(x: float, lang: str = DEFAULT_LANG, decimals: int = 2) -> str:
    """A decimal number as the reader writes it: `2,79` in Swedish, `2.79` in English.

    Means in one table line up with a fixed number of decimals; Swedish text uses the
    typographic minus sign.
    """
    text = f"{x:.{decimals}f}"
    if lang == "sv":
        text = text.replace(".", ",").replace("-", "\u2212")
    return text

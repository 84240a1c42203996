"""Loading the curriculum: modules and sessions from YAML, texts from Markdown, per language.

Loading only reads the small YAML files; Markdown is read when a text is asked for, so that
`imr session next` stays fast. Structural problems are collected as findings instead of
raised, because `imr check` wants to report all of them at once; commands that need a sound
curriculum call `require_sound()`.

The format is described in `curriculum/README.md`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imr.core import resources
from imr.core.cache import YamlCache
from imr.core.errors import ImrError
from imr.core.files import is_regular_below, read_regular
from imr.core.yamlio import YamlProblem
from imr.records.findings import Finding
from imr.records.ids import SessionRef

BASE_VARIANT = "general"
MODULE_DIR = re.compile(r"(\d{2})-[a-z0-9-]+")
# A raw HTML or Typst block (`{=html}`, `{=typst}`, a tag, a comment) in curriculum text: it would
# reach a printed handout unescaped. `imr check` lists them in a workspace's overrides; rendering
# refuses a workspace's text that has one (issue 26). imr's own curriculum is trusted.
_RAW_BLOCK = re.compile(
    r"\{\s*=[A-Za-z0-9_-]+\s*\}|<(?:[A-Za-z][A-Za-z0-9-]*[\s/>]|[A-Za-z][A-Za-z0-9-]*$|!--|/[A-Za-z])", re.MULTILINE
)


def raw_blocks(text: str) -> list[tuple[int, str]]:
    """Every raw HTML or Typst block in `text`: (line, the block's start)."""
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(0).strip()[:20]) for match in _RAW_BLOCK.finditer(text)
    ]


def _is_builtin(path: Path) -> bool:
    try:
        path.resolve().relative_to(resources.builtin_dir("curriculum").resolve())
    except ValueError:
        return False
    return True


def curriculum_text(path: Path, document: bool = True) -> str:
    """The text of a curriculum file: read without following a link and, for a `document`,
    refused when it comes from a workspace's own curriculum and holds a raw HTML or Typst block."""
    text = read_regular(path).decode("utf-8")
    if document and not _is_builtin(path):
        found = raw_blocks(text)
        if found:
            parts = path.parts
            start = max((i for i, part in enumerate(parts) if part == "curriculum"), default=len(parts) - 3)
            shown = "/".join(parts[start:])
            raise ImrError("curriculum_raw_block_refused", path=shown, line=found[0][0], block=found[0][1])
    return text


@dataclass
class Session:
    module: int
    number: int
    title: str
    objectives: list[str]
    key_points: list[str]
    homework: list[str]
    leader_path: Path | None = None
    handout_paths: dict[str, Path] = field(default_factory=dict)

    @property
    def ref(self) -> SessionRef:
        return SessionRef(self.module, self.number)

    @property
    def id(self) -> str:
        return f"{self.module}.{self.number}"

    def leader_guide(self, document: bool = True) -> str:
        """The leader guide's Markdown; for a `document` (the default), a workspace's text with a
        raw HTML or Typst block is refused. `imr check` and terminal views read it as it is."""
        return curriculum_text(self.leader_path, document) if self.leader_path else ""

    def handout(self, variant: str | None = None, document: bool = True) -> str:
        path = self.handout_paths.get(variant or BASE_VARIANT) or self.handout_paths.get(BASE_VARIANT)
        return curriculum_text(path, document) if path else ""

    def handout_variants(self) -> list[str]:
        return [name for name in self.handout_paths if name != BASE_VARIANT]


@dataclass
class Module:
    number: int
    title: str
    summary: str
    parts: list[int]
    has_variants: bool
    folder: str
    sessions: list[Session] = field(default_factory=list)


@dataclass
class Curriculum:
    lang: str
    title: str
    short_title: str
    variants: dict[str, str]
    modules: list[Module]
    roots: list[Path]
    problems: list[Finding] = field(default_factory=list)
    # Worked out once for the many records a command checks (the curriculum is not changed after
    # it is loaded): each module order's sessions, and every (module, session) there is.
    _orders: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _pairs: frozenset | None = field(default=None, init=False, repr=False, compare=False)

    def module(self, number: int) -> Module:
        for module in self.modules:
            if module.number == number:
                return module
        raise ImrError("unknown_module", module=number)

    def session(self, ref: SessionRef | str) -> Session:
        if isinstance(ref, str):
            ref = SessionRef.parse(ref)
        for module in self.modules:
            if module.number == ref.module:
                for session in module.sessions:
                    if session.number == ref.session:
                        return session
        raise ImrError("unknown_session", ref=str(ref))

    def has_session(self, ref: SessionRef) -> bool:
        try:
            return (ref.module, ref.session) in self.session_pairs()
        except TypeError:  # a reference from a broken record, with a list for a number
            return False

    def session_pairs(self) -> frozenset[tuple[int, int]]:
        """Every session as a (module, session) pair."""
        if self._pairs is None:
            self._pairs = frozenset((m.number, s.number) for m in self.modules for s in m.sessions)
        return self._pairs

    def sessions(self) -> list[Session]:
        return [session for module in self.modules for session in module.sessions]

    def order(self, module_order: list[int] | None = None) -> list[SessionRef]:
        """All sessions in a participant's module order (module 1 first by default)."""
        return list(self.order_keys(module_order)[0])

    def order_keys(self, module_order: list[int] | None = None) -> tuple[tuple[SessionRef, ...], tuple[tuple, ...]]:
        """`order`, and each session as a `(module, session)` pair: made once per module order
        (a ward's records share a handful), since `imr status` asks for every participant."""
        try:
            key = tuple(module_order or ())
            cached = self._orders.get(key)
        except TypeError:  # a module order with something unhashable in it (a broken record)
            key, cached = None, None
        if cached is None:
            numbers = [m.number for m in self.modules]
            chosen = [n for n in (module_order or numbers) if n in numbers]
            chosen += [n for n in numbers if n not in chosen]
            refs = tuple(s.ref for n in chosen for s in self.module(n).sessions)
            cached = (refs, tuple((ref.module, ref.session) for ref in refs))
            if key is not None and len(self._orders) < 256:
                self._orders[key] = cached
        return cached

    def check_variant(self, variant: str) -> str:
        if variant not in self.variants:
            raise ImrError("unknown_variant", variant=variant, known=", ".join(self.variants))
        return variant

    def require_sound(self) -> Curriculum:
        if not self.modules:
            raise ImrError("curriculum_empty", lang=self.lang)
        return self


def _language_roots(lang: str, workspace_root: Path | None) -> tuple[str, list[Path]]:
    bases = resources.search_path("curriculum", workspace_root)
    roots = [base / lang for base in bases if (base / lang).is_dir()]
    if not roots and lang != "sv":
        return _language_roots("sv", workspace_root)
    return lang, roots


def _relative(path: Path, workspace_root: Path | None) -> str:
    for base in ([workspace_root] if workspace_root else []) + [resources.builtin_dir("curriculum").parent]:
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


@dataclass
class _Reader:
    """Finds a curriculum file in the language's roots (a ward's own first) and reads it, noting
    a file that cannot be read as a finding."""

    roots: list[Path]
    cache: YamlCache
    workspace_root: Path | None
    problems: list[Finding]

    def find(self, relative: str) -> Path | None:
        for root in self.roots:
            if is_regular_below(root, relative):  # never through a link (issue 26)
                return root / relative
        return None

    def load(self, relative: str) -> tuple[Any, Path | None]:
        path = self.find(relative)
        if path is None:
            return None, None
        try:
            return self.cache.load(path), path
        except YamlProblem as problem:
            self.problems.append(
                Finding(_relative(path, self.workspace_root), problem.line, problem.code, problem.params)
            )
            return None, path


def load_curriculum(lang: str = "sv", workspace_root: Path | None = None, use_cache: bool = True) -> Curriculum:
    """Load module and programme metadata; with `use_cache`, unchanged files come from `.imr-cache/`."""

    cache = YamlCache(workspace_root if use_cache else None, f"curriculum-{lang}")

    lang, roots = _language_roots(lang, workspace_root)
    problems: list[Finding] = []
    reader = _Reader(roots, cache, workspace_root, problems)

    programme, programme_path = reader.load("programme.yaml")
    if not isinstance(programme, dict):
        if programme_path is None:
            problems.append(Finding(f"curriculum/{lang}/programme.yaml", 0, "missing_file"))
        programme = {}
    variants = programme.get("variants") or {BASE_VARIANT: BASE_VARIANT}
    if not isinstance(variants, dict):
        variants = {BASE_VARIANT: BASE_VARIANT}

    folders = sorted({p.name for root in roots for p in root.iterdir() if p.is_dir() and MODULE_DIR.fullmatch(p.name)})
    modules: list[Module] = []
    for folder in folders:
        module = _load_module(reader, lang, folder, variants)
        if module is not None:
            modules.append(module)

    seen: dict[int, str] = {}
    for module in modules:
        if module.number in seen:
            problems.append(Finding(module.folder, 0, "curriculum_duplicate_module", {"module": module.number}))
        seen[module.number] = module.folder
    modules.sort(key=lambda m: m.number)
    cache.save()
    return Curriculum(
        lang=lang,
        title=str(programme.get("title") or "IMR"),
        short_title=str(programme.get("short_title") or "IMR"),
        variants={str(k): str(v) for k, v in variants.items()},
        modules=modules,
        roots=roots,
        problems=problems,
    )


def _load_module(reader: _Reader, lang: str, folder: str, variants: dict) -> Module | None:
    """One module folder's `module.yaml` and the texts of its sessions (None: not usable)."""
    problems = reader.problems
    meta, meta_path = reader.load(f"{folder}/module.yaml")
    where = _relative(meta_path, reader.workspace_root) if meta_path else f"curriculum/{lang}/{folder}/module.yaml"
    if meta_path is None:
        problems.append(Finding(where, 0, "missing_file"))
        return None
    if not isinstance(meta, dict):
        if meta is not None or not problems:
            problems.append(Finding(where, 0, "curriculum_bad_module"))
        return None
    module = _module_from(meta, folder, where, problems)
    if module is None:
        return None
    names = [BASE_VARIANT] + ([v for v in variants if v != BASE_VARIANT] if module.has_variants else [])
    for session in module.sessions:
        _find_texts(reader, session, folder, where, names)
    return module


def _find_texts(reader: _Reader, session: Session, folder: str, where: str, names: list[str]) -> None:
    """The session's leader's guide and its handout in each of `names` (variants); a missing
    one is a finding."""
    session.leader_path = reader.find(f"{folder}/{session.number}.leader.md")
    if session.leader_path is None:
        reader.problems.append(
            Finding(where, 0, "curriculum_missing_text", {"session": session.id, "file": f"{session.number}.leader.md"})
        )
    for name in names:
        suffix = "" if name == BASE_VARIANT else f".{name}"
        path = reader.find(f"{folder}/{session.number}.handout{suffix}.md")
        if path is None:
            reader.problems.append(
                Finding(
                    where,
                    0,
                    "curriculum_missing_text",
                    {"session": session.id, "file": f"{session.number}.handout{suffix}.md"},
                )
            )
        else:
            session.handout_paths[name] = path


def _module_from(meta: dict, folder: str, where: str, problems: list[Finding]) -> Module | None:
    line = getattr(meta, "line", 0)
    number = meta.get("number")
    if not isinstance(number, int) or number != int(folder[:2]):
        problems.append(Finding(where, line, "curriculum_module_number", {"folder": folder}))
        return None
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Finding(where, line, "curriculum_missing_field", {"field": "title"}))
        title = folder
    module = Module(
        number=number,
        title=title,
        summary=str(meta.get("summary") or ""),
        parts=[p for p in (meta.get("parts") or []) if isinstance(p, int)],
        has_variants=bool(meta.get("variants")),
        folder=folder,
    )
    sessions = meta.get("sessions")
    if not isinstance(sessions, list) or not sessions:
        problems.append(Finding(where, line, "curriculum_missing_field", {"field": "sessions"}))
        return module
    expected = 1
    for raw in sessions:
        sline = getattr(raw, "line", line)
        if not isinstance(raw, dict):
            problems.append(Finding(where, sline, "curriculum_bad_session"))
            continue
        if raw.get("number") != expected:
            problems.append(
                Finding(where, sline, "curriculum_session_number", {"expected": expected, "module": number})
            )
        number_s: int = raw["number"] if isinstance(raw.get("number"), int) else expected
        expected = number_s + 1
        for key in ("title", "objectives", "key_points", "homework"):
            if not raw.get(key):
                problems.append(
                    Finding(where, sline, "curriculum_missing_field", {"field": f"{number}.{number_s} {key}"})
                )
        module.sessions.append(
            Session(
                module=number,
                number=number_s,
                title=str(raw.get("title") or f"{number}.{number_s}"),
                objectives=[str(x) for x in raw.get("objectives") or []],
                key_points=[str(x) for x in raw.get("key_points") or []],
                homework=[str(x) for x in raw.get("homework") or []],
            )
        )
    return module

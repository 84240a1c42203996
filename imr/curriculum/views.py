"""The curriculum as data for `imr curriculum list|show` (and their --json)."""

from __future__ import annotations

from typing import Any

from imr.core.errors import ImrError
from imr.curriculum.model import BASE_VARIANT, Curriculum
from imr.records.ids import SessionRef


def curriculum_list(curriculum: Curriculum) -> list[dict[str, Any]]:
    return [
        {
            "number": module.number,
            "title": module.title,
            "summary": module.summary,
            "parts": module.parts,
            "variants": module.has_variants,
            "sessions": [{"id": s.id, "title": s.title} for s in module.sessions],
        }
        for module in curriculum.modules
    ]


def curriculum_show(curriculum: Curriculum, ref_text: str) -> dict[str, Any]:
    """One module (`M`) or one session (`M.S`) with its texts."""
    if ref_text.strip().isdigit():
        module = curriculum.module(int(ref_text))
        return {
            "module": module.number,
            "title": module.title,
            "summary": module.summary,
            "parts": module.parts,
            "sessions": [{"id": s.id, "title": s.title, "objectives": s.objectives} for s in module.sessions],
        }
    try:
        ref = SessionRef.parse(ref_text)
    except ImrError:
        raise ImrError("bad_curriculum_ref", ref=ref_text[:40]) from None
    session = curriculum.session(ref)
    module = curriculum.module(ref.module)
    data: dict[str, Any] = {
        "session": session.id,
        "module": module.number,
        "module_title": module.title,
        "title": session.title,
        "objectives": session.objectives,
        "key_points": session.key_points,
        "homework": session.homework,
        "leader_guide": session.leader_guide(document=False),  # shown escaped, never printed
        "handout": session.handout(BASE_VARIANT, document=False),
    }
    if module.has_variants:
        data["variants"] = {name: session.handout(name, document=False) for name in session.handout_paths}
    return data

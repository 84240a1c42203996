"""Draw imr's own pictures: plain line drawings as SVG, made for this programme.

    python tools/draw_pictures.py        # writes templates/render/pictures/*.svg

Every picture is drawn here in code from lines, circles and text, so it carries no one
else's copyright: the drawings are part of imr and licensed with it (see pictures/README.md).
They are deliberately plain: one ink colour, thick lines, few words, large labels, so they
print well on a black-and-white ward printer and read at a glance. Alt texts (Swedish and
English) live in templates/strings/<lang>/pictures.yaml.
"""

from __future__ import annotations

from pathlib import Path

INK = "#1f3a70"
RED = "#9b1c1c"
FONT = "Atkinson Hyperlegible, Arial, sans-serif"
OUT = Path(__file__).resolve().parent.parent / "templates" / "render" / "pictures"


def svg(width: int, height: int, body: str, stroke: float = 2.0) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">\n'
            f'<g fill="none" stroke="{INK}" stroke-width="{stroke}" stroke-linecap="round" '
            f'stroke-linejoin="round">\n{body}\n</g>\n</svg>\n')


def text(x: float, y: float, words: str, size: int = 14, anchor: str = "middle", weight: str = "normal",
         fill: str = INK) -> str:
    return (f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}" stroke="none">{words}</text>')


# -- the relapse card's icons (24 × 24) ---------------------------------------------------------

ICONS = {
    "triggers": '<path d="M13 2 L5 13 H11 L9 22 L19 9 H13 Z"/>',
    "warning_signs": ('<rect x="7" y="1.5" width="10" height="21" rx="3"/>'
                      '<circle cx="12" cy="6.5" r="2.2"/><circle cx="12" cy="12" r="2.2"/>'
                      f'<circle cx="12" cy="17.5" r="2.2" fill="{INK}"/>'),
    "actions": '<circle cx="12" cy="12" r="9.5"/><path d="M7.5 12.5 L10.5 15.5 L16.5 8.5"/>',
    "calming": ('<path d="M3 9 Q6 6 9 9 T15 9 T21 9"/><path d="M3 14 Q6 11 9 14 T15 14 T21 14"/>'
                '<path d="M3 19 Q6 16 9 19 T15 19 T21 19"/>'),
    "not_wanted": '<circle cx="12" cy="12" r="9.5"/><path d="M5.3 5.3 L18.7 18.7"/>',
    "helpers": ('<circle cx="8" cy="7.5" r="3"/><path d="M2.5 20 V17 Q2.5 12.5 8 12.5 Q13.5 12.5 13.5 17 V20"/>'
                '<circle cx="16.5" cy="8.5" r="2.6"/><path d="M15 13.2 Q21.5 12.5 21.5 17 V20"/>'),
    "emergency": ('<path d="M6 3 L9.5 3 L11 7.5 L8.5 9.5 Q10 13.5 14.5 15.5 L16.5 13 L21 14.5 V18 '
                  'Q21 21 18 21 Q4 19.5 3 6 Q3 3 6 3 Z"/>'),
    "kept_at": ('<path d="M2.5 7 V19.5 H21.5 V9 H11.5 L9.5 6.5 H3.5 Z"/>'),
    "copies": ('<rect x="3" y="6.5" width="11" height="14.5" rx="1.2"/>'
               '<path d="M8 6.5 V3 H19.5 V17.5 H14"/>'),
}


def icons() -> dict[str, str]:
    return {f"card-{name}.svg": svg(24, 24, body, 1.8) for name, body in ICONS.items()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    pictures = {**icons()}
    for name, data in pictures.items():
        (OUT / name).write_text(data, encoding="utf-8")
    print(f"{len(pictures)} pictures in {OUT}")


if __name__ == "__main__":
    main()

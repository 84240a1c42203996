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
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">\n'
        f'<g fill="none" stroke="{INK}" stroke-width="{stroke}" stroke-linecap="round" '
        f'stroke-linejoin="round">\n{body}\n</g>\n</svg>\n'
    )


def text(
    x: float, y: float, words: str, size: int = 14, anchor: str = "middle", weight: str = "normal", fill: str = INK
) -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}" stroke="none">{words}</text>'
    )


# -- the relapse card's icons (24 × 24) ---------------------------------------------------------

ICONS = {
    "triggers": '<path d="M13 2 L5 13 H11 L9 22 L19 9 H13 Z"/>',
    "warning_signs": (
        '<rect x="7" y="1.5" width="10" height="21" rx="3"/>'
        '<circle cx="12" cy="6.5" r="2.2"/><circle cx="12" cy="12" r="2.2"/>'
        f'<circle cx="12" cy="17.5" r="2.2" fill="{INK}"/>'
    ),
    "actions": '<circle cx="12" cy="12" r="9.5"/><path d="M7.5 12.5 L10.5 15.5 L16.5 8.5"/>',
    "calming": (
        '<path d="M3 9 Q6 6 9 9 T15 9 T21 9"/><path d="M3 14 Q6 11 9 14 T15 14 T21 14"/>'
        '<path d="M3 19 Q6 16 9 19 T15 19 T21 19"/>'
    ),
    "not_wanted": '<circle cx="12" cy="12" r="9.5"/><path d="M5.3 5.3 L18.7 18.7"/>',
    "helpers": (
        '<circle cx="8" cy="7.5" r="3"/><path d="M2.5 20 V17 Q2.5 12.5 8 12.5 Q13.5 12.5 13.5 17 V20"/>'
        '<circle cx="16.5" cy="8.5" r="2.6"/><path d="M15 13.2 Q21.5 12.5 21.5 17 V20"/>'
    ),
    "emergency": (
        '<path d="M6 3 L9.5 3 L11 7.5 L8.5 9.5 Q10 13.5 14.5 15.5 L16.5 13 L21 14.5 V18 '
        'Q21 21 18 21 Q4 19.5 3 6 Q3 3 6 3 Z"/>'
    ),
    "kept_at": ('<path d="M2.5 7 V19.5 H21.5 V9 H11.5 L9.5 6.5 H3.5 Z"/>'),
    "copies": ('<rect x="3" y="6.5" width="11" height="14.5" rx="1.2"/><path d="M8 6.5 V3 H19.5 V17.5 H14"/>'),
}


def icons() -> dict[str, str]:
    return {f"card-{name}.svg": svg(24, 24, body, 1.8) for name, body in ICONS.items()}


# -- the pictures the handouts point at (480 wide) ----------------------------------------------


def arrow(x1: float, y1: float, x2: float, y2: float, head: float = 9) -> str:
    import math

    angle = math.atan2(y2 - y1, x2 - x1)
    left = (x2 - head * math.cos(angle - 0.45), y2 - head * math.sin(angle - 0.45))
    right = (x2 - head * math.cos(angle + 0.45), y2 - head * math.sin(angle + 0.45))
    return (
        f'<path d="M{x1:.1f} {y1:.1f} L{x2:.1f} {y2:.1f}"/>'
        f'<path d="M{left[0]:.1f} {left[1]:.1f} L{x2:.1f} {y2:.1f} L{right[0]:.1f} {right[1]:.1f}"/>'
    )


def cup() -> str:
    """Stress–vulnerability: stress runs into a cup whose size is the vulnerability; when it is
    full it runs over (symptoms). What protects makes the cup bigger."""
    body = [
        # the tap and the water running in
        '<path d="M150 18 H215 V32"/>',
        '<path d="M205 32 H225"/>',
        '<path d="M215 36 V70" stroke-dasharray="5 5"/>',
        text(88, 24, "Stress", 18, weight="bold"),
        # the cup
        '<path d="M150 70 L170 230 H270 L290 70"/>',
        # water: a wavy surface near the top, drops running over
        '<path d="M156 100 Q175 92 194 100 T232 100 T270 100 T286 100"/>',
        '<path d="M291 74 Q305 95 300 120"/>',
        '<circle cx="300" cy="135" r="4"/>',
        '<circle cx="306" cy="156" r="4"/>',
        text(372, 128, "Symtom", 18, weight="bold"),
        text(372, 148, "när det rinner över", 15),
        # the cup's size: vulnerability
        arrow(120, 150, 120, 75),
        arrow(120, 150, 120, 225),
        text(62, 146, "Sårbarhet", 16, weight="bold"),
        text(62, 166, "= hur stor", 15),
        text(62, 184, "bägaren är", 15),
        text(220, 260, "Vila, stöd, läkemedel och färdigheter gör bägaren större.", 15),
    ]
    return svg(480, 275, "\n".join(body))


def traffic_light() -> str:
    """Warning signs: green (as usual), yellow (early warning signs: act now), red (a relapse)."""
    rows = [
        ("Grönt", "Jag mår som vanligt.", "#2e7d32"),
        ("Gult", "Tidiga varningstecken:", "#b08000"),
        ("Rött", "Återfall: få hjälp direkt.", RED),
    ]
    body = ['<rect x="40" y="12" width="90" height="246" rx="22"/>', '<path d="M85 258 V272"/>']
    for i, (name, words, colour) in enumerate(rows):
        y = 55 + i * 80
        body.append(f'<circle cx="85" cy="{y}" r="28" stroke="{colour}" stroke-width="4"/>')
        body.append(text(85, y + 6, name, 15, weight="bold", fill=colour))
        body.append(text(160, y + 6, words, 18, anchor="start"))
    body.append(text(160, 160, "gör det som står i din plan.", 18, anchor="start"))
    return svg(480, 280, "\n".join(body))


def staircase() -> str:
    """A goal reached by small steps: three steps up to the goal's flag."""
    body = [
        '<path d="M20 250 H120 V190 H220 V130 H320 V70 H440"/>',
        '<path d="M400 70 V18"/>',
        '<path d="M400 18 L440 30 L400 42"/>',
        text(70, 240, "Delmål 1", 16, weight="bold"),
        text(170, 180, "Delmål 2", 16, weight="bold"),
        text(270, 120, "Delmål 3", 16, weight="bold"),
        text(360, 60, "Mitt mål", 18, weight="bold"),
        text(70, 272, "Ett steg i taget", 15),
    ]
    return svg(460, 285, "\n".join(body))


def road() -> str:
    """Recovery is seldom a straight road: it winds, with better and harder stretches."""
    body = [
        '<path d="M20 200 C80 200 90 120 150 120 S230 220 290 190 S360 70 450 60" stroke-width="14" stroke="#c9d3e6"/>',
        '<path d="M20 200 C80 200 90 120 150 120 S230 220 290 190 S360 70 450 60" stroke-dasharray="10 10"/>',
        '<path d="M450 60 V14"/>',
        '<path d="M450 14 L478 24 L450 34"/>',
        text(30, 235, "Start", 16, weight="bold"),
        text(150, 95, "Bra dagar", 16),
        text(245, 235, "Svåra dagar", 16),
        text(405, 150, "Det som är", 16, weight="bold"),
        text(405, 169, "viktigt för mig", 16, weight="bold"),
    ]
    return svg(480, 250, "\n".join(body))


def medication_routine() -> str:
    """A routine: the same time each day, a pill organiser, a reminder."""
    body = ['<rect x="20" y="110" width="300" height="80" rx="8"/>']
    days = ["Mån", "Tis", "Ons", "Tor", "Fre", "Lör", "Sön"]
    for i, day in enumerate(days):
        x = 20 + i * (300 / 7)
        if i:
            body.append(f'<path d="M{x:.1f} 110 V190"/>')
        body.append(text(x + 300 / 14, 140, day, 14))
        body.append(f'<circle cx="{x + 300 / 14:.1f}" cy="165" r="6"/>')
    body += [
        '<path d="M20 150 H320"/>',
        text(170, 220, "Dosett: en ruta för varje dag", 16, weight="bold"),
        # a clock
        '<circle cx="400" cy="80" r="48"/>',
        '<path d="M400 80 V48"/>',
        '<path d="M400 80 L424 92"/>',
        text(400, 155, "Samma tid", 16, weight="bold"),
        text(400, 175, "varje dag", 16),
        # a phone reminder bell
        '<path d="M110 40 Q110 15 130 15 Q150 15 150 40 V60 H110 Z"/>',
        '<path d="M104 60 H156"/>',
        '<circle cx="130" cy="68" r="5"/>',
        text(215, 45, "Påminnelse", 16, anchor="start"),
    ]
    return svg(480, 235, "\n".join(body))


def four_fields() -> str:
    """The decision balance: good and bad with using, good and bad with cutting down."""
    body = [
        '<rect x="125" y="40" width="340" height="200"/>',
        '<path d="M295 40 V240"/>',
        '<path d="M125 140 H465"/>',
        text(210, 28, "Bra", 18, weight="bold"),
        text(380, 28, "Dåligt", 18, weight="bold"),
        text(62, 86, "Att", 16, weight="bold"),
        text(62, 106, "använda", 16, weight="bold"),
        text(62, 186, "Att sluta", 16, weight="bold"),
        text(62, 206, "eller dra ner", 16, weight="bold"),
        text(210, 95, "1", 28),
        text(380, 95, "2", 28),
        text(210, 195, "3", 28),
        text(380, 195, "4", 28),
    ]
    return svg(480, 255, "\n".join(body))


def problem_steps() -> str:
    """Problem solving in seven steps, one after the other."""
    steps = ["Vad är problemet?", "Många idéer", "Bra och dåligt", "Välj en", "Gör en plan", "Gör det", "Hur gick det?"]
    body = []
    for i, words in enumerate(steps):
        row, col = divmod(i, 4)
        x = 12 + col * 118 if row == 0 else 71 + col * 118
        y = 20 + row * 100
        body.append(f'<rect x="{x}" y="{y}" width="106" height="64" rx="10"/>')
        body.append(text(x + 53, y + 26, str(i + 1), 18, weight="bold"))
        body.append(text(x + 53, y + 50, words, 12))
        if i not in (3, 6):
            body.append(arrow(x + 107, y + 32, x + 117, y + 32, 5))
    body.append(arrow(424, 86, 400, 116, 7))
    return svg(480, 195, "\n".join(body))


def network() -> str:
    """The social network as circles: me in the middle, the closest next, then others."""
    body = [
        '<circle cx="180" cy="135" r="30"/>',
        '<circle cx="180" cy="135" r="70"/>',
        '<circle cx="180" cy="135" r="110"/>',
        text(180, 141, "Jag", 17, weight="bold"),
        text(180, 86, "Nära", 15),
        text(180, 45, "Vänner, grannar", 15),
        text(180, 262, "", 15),
    ]
    for x, y in ((140, 110), (222, 150), (210, 95), (100, 170), (270, 80), (255, 200), (95, 90)):
        body.append(f'<circle cx="{x}" cy="{y}" r="7" fill="{INK}"/>')
    body += [
        text(310, 110, "De närmaste:", 16, anchor="start", weight="bold"),
        text(310, 130, "familj, goda vänner", 16, anchor="start"),
        text(310, 175, "Längre ut:", 16, anchor="start", weight="bold"),
        text(310, 195, "grannar, personal,", 16, anchor="start"),
        text(310, 215, "föreningar", 16, anchor="start"),
    ]
    return svg(480, 255, "\n".join(body))


def imrs_steps() -> str:
    """The IMR Scale's five steps: each answer is a step from 1 to 5; higher is better."""
    body = []
    for i in range(5):
        h = 30 + i * 32
        x = 30 + i * 86
        body.append(f'<rect x="{x}" y="{200 - h}" width="70" height="{h}"/>')
        body.append(text(x + 35, 200 - h - 10, str(i + 1), 20, weight="bold"))
    body += [
        '<path d="M20 200 H470"/>',
        arrow(40, 225, 440, 225),
        text(40, 250, "Lite", 16, anchor="start"),
        text(440, 250, "Mycket: bättre", 16, anchor="end"),
    ]
    return svg(480, 260, "\n".join(body))


PICTURES = {
    "bagaren": cup,
    "trafikljus": traffic_light,
    "trappan": staircase,
    "vagen": road,
    "medicinrutin": medication_routine,
    "fyra-falt": four_fields,
    "problemlosning": problem_steps,
    "natverk": network,
    "imrs-steg": imrs_steps,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    pictures = {**icons(), **{f"{name}.svg": draw() for name, draw in PICTURES.items()}}
    for name, data in pictures.items():
        (OUT / name).write_text(data, encoding="utf-8")
    print(f"{len(pictures)} pictures in {OUT}")


if __name__ == "__main__":
    main()

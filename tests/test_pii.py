"""The personal-data guard: what is flagged and, as important, what is not."""

import pytest

from imr.pii import find_pii, luhn_ok


@pytest.mark.parametrize(
    "text,kind",
    [
        ("Pnr 19121212-1212", "personnummer"),
        ("121212-1212", "personnummer"),
        ("121212+1212", "personnummer"),
        ("1212121212", "personnummer"),
        ("191212121212", "personnummer"),
        ("Ring 070-123 45 67", "phone"),
        ("tel +46 70 123 45 67", "phone"),
        ("08-123 456 78", "phone"),
        ("0701234567", "phone"),
        ("skriv till anna.a@example.se", "email"),
    ],
)
def test_flagged(text, kind):
    hit = find_pii(text)
    assert hit is not None and hit.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "121212-1213",  # Luhn-invalid: not a personnummer
        "19121212-1213",
        "Träff 3.2 den 2026-03-02 kl 14.30",
        "Ring 112 vid akut fara eller 1177 för råd.",
        "Sov 7 timmar, 3 promenader, 20 minuter.",
        "IMRS-medel 3.4",
        "rum 1204",
        "",
    ],
)
def test_not_flagged(text):
    assert find_pii(text) is None


def test_luhn():
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


def test_pii_in_record_reported_by_check(enrolled):
    path = enrolled.record("p-01")
    before = path.read_text()
    path.write_text(before + "- kind: session\n  at: '2026-03-01T10:00:00+01:00'\n  by: KL\n"
                    "  module: 1\n  session: 1\n  date: '2026-03-01'\n  note: Mammans nummer 070-123 45 67\n")
    result = enrolled("check")
    assert result.exit_code == 1
    entry_line = before.count("\n") + 1
    assert result.output.startswith(f"records/p-01.yaml:{entry_line}:")
    assert "telefonnummer" in result.output

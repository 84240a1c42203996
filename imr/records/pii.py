"""The privacy guard: personnummer, phone numbers, e-mail, likely names and invisible characters.

Records are pseudonymous health data (GDPR special category) kept in an append-only git
history, where a slip cannot be taken back without rewriting every clone. So every string on
its way into `records/`, `groups/` or `imr.yaml` passes this one scanner, and `imr check`
runs it over what is already there.

How it holds against real mistakes:
- Text is normalised first (NFKC, invisible and bidi control characters removed, every dash
  and space variant made plain), so a zero-width space or an en dash cannot hide a number; the
  invisible characters themselves are a hit, because they only hide things in a note.
- Formats come from kept libraries where they exist: `phonenumbers` (Google's metadata, region
  SE) decides whether digits are a phone number, `personnummer` whether a date + serial + Luhn
  digit is a personnummer or samordningsnummer. What we write ourselves is the candidate search
  around them, because the library matcher misses ordinary Swedish notes ("kl 14 070 123 45 67",
  "070 123 45 67 3 gånger") and gives up after a fixed number of tries on a long text.
- Names are a heuristic and say so: a capitalised word after a relation or title word, two
  capitalised words in a row mid-sentence, Swedish surname shapes, and a short list of common
  first names. A workspace allow-list covers words that look like names but are not.
- Every pattern runs in linear time (no nested unbounded repetition; the e-mail search starts
  from each '@' and looks a bounded distance either side), and the cheap checks come first:
  no phone work without enough digits, no e-mail work without '@'. A text stops being scanned
  after `MAX_HITS` hits: it is refused anyway, and a hostile file cannot make that cost grow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from imr.core.strings import label

MAX_HITS = 100
# Part of the key of any cache that stores scan results (`.imr-cache/summaries.json`): raise it
# whenever what the scanner finds changes, so findings cached by an older scanner are redone.
SCANNER_VERSION = 3

# Where two hits overlap, the lower number wins (a valid personnummer over a phone number over
# a number that is only shaped like a personnummer).
_PRIORITY = {
    "personnummer": 0,
    "samordningsnummer": 0,
    "email": 1,
    "phone": 2,
    "personnummer_check": 3,
    "name": 4,
    "invisible": 5,
}


@dataclass(frozen=True)
class PiiHit:
    kind: str  # personnummer | samordningsnummer | personnummer_check | phone | email | name | invisible
    text: str  # the matched text, normalised
    severity: str = "refuse"  # refuse | warn

    def label(self, lang: str = "sv") -> str:
        """A short noun phrase without article ("telefonnummer", "e-postadress") for messages."""

        return label("pii", self.kind, lang)

    def advice(self, lang: str = "sv") -> str:
        """One sentence on how to write the same thing without the identifier."""

        return label("pii_advice", self.kind, lang)

    def masked(self) -> str:
        """The hit with most of it hidden, for output that may end up in a CI log or a terminal
        someone else can see: enough to find the place, not enough to identify anyone."""
        if self.kind == "invisible":
            return self.text
        if self.kind == "name":
            return " ".join(word[:1] + "…" for word in self.text.split())
        if self.kind == "email":
            local, _, domain = self.text.partition("@")
            return local[:1] + "…@" + domain
        shown = 0
        out = []
        for char in self.text:
            if char.isdigit():
                shown += 1
                out.append(char if shown <= 2 else "•")
            else:
                out.append(char)
        return "".join(out)


# --------------------------------------------------------------------------------------------
# Normalisation

# Characters that render as nothing (or only steer layout) but split a number or an address for
# a naive reader. Unicode category Cf covers zero-width space/joiners, soft hyphen, word joiner,
# BOM, bidi controls and tag characters; the rest are invisible letters and marks outside Cf.
_INVISIBLE_EXTRA = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0\u2800"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d\u2e3a\u2e3b")
# Joiners and variation selectors inside an emoji sequence (👨‍👩‍👧, ❤️) are what the emoji needs,
# not a trick; they are still removed from the normalised text.
_EMOJI_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


@lru_cache(maxsize=4096)
def _char_action(char: str) -> str | None:
    """'' to remove, a replacement, or None to keep; per distinct character, so cached."""
    if char in _DASHES:
        return "-"
    if char in _INVISIBLE_EXTRA:
        return ""
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category == "Zs":
        return " "
    if category in ("Zl", "Zp"):
        return "\n"
    if category == "Nd":
        return str(unicodedata.digit(char))
    return None


def _is_invisible(char: str) -> bool:
    return char in _INVISIBLE_EXTRA or (not char.isascii() and unicodedata.category(char) == "Cf")


def normalise(text: str) -> str:
    """NFKC, invisible and format characters removed, dashes to "-", spaces to " ", digits to ASCII.

    Plain ASCII text (most ids, many notes) is returned as it is: it has none of these.
    """
    return _normalise(text)[0]


# ASCII and the Latin-1 letters (å, ä, ö, é, ü, ...; U+00C0 to U+00FF): text made of only these
# is already NFKC and holds nothing to remove or replace, as a test checks character by
# character and pair by pair. Most Swedish notes are such text, and one regex match is much
# cheaper than the per-character work below.
_LATIN1_LETTERS = re.compile(r"[\x00-\x7f\u00c0-\u00ff]*")


def _normalise(text: str) -> tuple[str, frozenset[str]]:
    """The normalised text and the invisible characters the original held, in one pass over
    the distinct characters (a note has a few dozen)."""
    if text.isascii() or _LATIN1_LETTERS.fullmatch(text):
        return text, frozenset()
    return _normalise_chars(text)


def _normalise_chars(text: str) -> tuple[str, frozenset[str]]:
    """`_normalise` the long way, character by character (what the quick paths must equal)."""
    distinct = set(text)
    hidden = frozenset(char for char in distinct if not char.isascii() and _is_invisible(char))
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
        distinct = set(text)
    table = {}
    for char in distinct:
        if not char.isascii():
            action = _char_action(char)
            if action is not None:
                table[ord(char)] = action
    return (text.translate(table) if table else text), hidden


def _invisible_hits(text: str, hidden: frozenset[str] | None = None) -> list[PiiHit]:
    """One hit per distinct invisible character, in order of appearance, named by its code
    point; a joiner or variation selector next to an emoji is the emoji's own."""
    if hidden is None:
        hidden = _normalise(text)[1]
    found = []
    for char in hidden:
        if char in _EMOJI_JOINERS and _only_in_emoji(text, char):
            continue
        found.append((text.index(char), char))
    return [
        PiiHit("invisible", f"U+{ord(char):04X} {unicodedata.name(char, '').lower()}".strip())
        for _, char in sorted(found)
    ]


def _only_in_emoji(text: str, char: str) -> bool:
    index = text.find(char)
    while index != -1:
        before = text[index - 1 : index]
        after = text[index + 1 : index + 2]
        if not (_is_symbol(before) or _is_symbol(after)):
            return False
        index = text.find(char, index + 1)
    return True


def _is_symbol(char: str) -> bool:
    return bool(char) and not char.isascii() and unicodedata.category(char) in ("So", "Sk")


# --------------------------------------------------------------------------------------------
# Personnummer and samordningsnummer

# Date parts may be separated by nothing, one space, "-" or "."; the serial by nothing, "-",
# "+", "/" or a space or a line break (with a space or line break around a sign). Every part has a fixed width, so each attempt
# is bounded and the whole search is linear.
# A number glued to more digits by "-" or "." is part of something longer (a date range
# "2026-03-02-2026-03-16", a version), not a personnummer.
_PNR = re.compile(
    r"(?<![0-9])(?<![0-9][-.])(?:(18|19|20)[ .-]?)?([0-9]{2})[ .-]?([0-9]{2})[ .-]?([0-9]{2})(?:[ \n]?[-+/][ \n]?|[ \n])?([0-9]{4})"
    r"(?![0-9]|[-.][0-9])"
)


def _luhn_digit(nine: str) -> int:
    total = 0
    for index, char in enumerate(nine):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def luhn_ok(digits: str) -> bool:
    """The Luhn check over YYMMDDNNNC (kept for callers of the old module)."""
    return len(digits) == 10 and digits.isdigit() and _luhn_digit(digits[:9]) == int(digits[9])


def _pnr_kind(century: str | None, year: str, month: str, day: str, serial: str) -> str | None:
    """personnummer / samordningsnummer (valid), personnummer_check (valid date, wrong check
    digit) or None (not a date, so an ordinary number)."""
    from personnummer import personnummer

    m, d = int(month), int(day)
    if not (1 <= m <= 12 and (1 <= d <= 31 or 61 <= d <= 91)):
        return None
    number = (century or "") + year + month + day + serial
    if personnummer.valid(number):
        return "samordningsnummer" if d > 60 else "personnummer"
    # The same digits with the right check digit: valid means the date is real and only the
    # check digit is wrong (a typo of a real number, or the number with one digit changed).
    fixed = number[:-1] + str(_luhn_digit(year + month + day + serial[:3]))
    if personnummer.valid(fixed):
        return "personnummer_check"
    if century is None:
        # A ten-digit number has no century; 29 February is a real date in one of them.
        for guess in ("19", "20"):
            if personnummer.valid(guess + fixed):
                return "personnummer_check"
    return None


def _personnummer_hits(text: str, runs: list[tuple[int, int, int]] | None = None) -> list[tuple[int, int, PiiHit]]:
    """Personnummer in the runs of digit groups with at least ten digits (every separator the
    pattern allows also joins a run, so a number is never split between two runs)."""
    out = []
    for start, end, digits in _number_runs(text, 10) if runs is None else runs:
        if digits < 10:
            continue
        for match in _PNR.finditer(text, start, end):
            if match.group(1) and not match.group(0)[:8].isdigit():
                continue  # "2026-03-02 1430" is a date and a time: with a century, the date is written whole
            kind = _pnr_kind(*match.groups())
            if kind is not None:
                severity = "warn" if kind == "personnummer_check" else "refuse"
                out.append((match.start(), match.end(), PiiHit(kind, match.group(0), severity)))
                if len(out) >= MAX_HITS:
                    return out
    return out


# --------------------------------------------------------------------------------------------
# Phone numbers

# A run of digit groups joined by short separators: "070-123 45 67", "(08) 123 456 78",
# "+46 (0)70 …", "070/1234567", "070.123.45.67", "070_123_45_67", "070,123,45,67". The alternation is between disjoint
# character classes, so the run is found in one linear pass.
_RUN_SEPARATORS = " ./()+-_,\n"
_NUMBER_RUN = re.compile(r"[0-9]+(?:[ ./()+_,\n-]{1,3}[0-9]+)*")
_DIGIT_GROUP = re.compile(r"[0-9]+")
# "08.30-09.15" and "kl 07.45" are times, "02.03.2026" a date: a number never reads like that.
_TIME_OR_DATE = re.compile(
    r"(?<![0-9])(?:[01][0-9]|2[0-3])[.:][0-5][0-9](?![0-9])|[0-9]{1,2}[./-][0-9]{1,2}[./-](?:19|20)[0-9]{2}"
)
_MAX_PHONE_DIGITS = 15  # E.164
_MIN_PHONE_DIGITS = 7
# Texts the scanner finds nothing in, told at once:
# * lower-case ASCII letters and at most six digits (an entry id, a key, a short code): no name
#   starts with a capital, there is no address and nothing hidden, and too few digits for a number;
# * a day or a time as the writer writes them (`2026-03-02`, `2026-03-02T14:05:00+01:00`): the
#   only run of seven or more digits is the day's eight, too few for a personnummer and no
#   phone number (no group of it starts one: the year begins with 19 or 20, and the month and
#   day follow a `-` after a digit), and `T` and `Z` are single letters, no name. Every entry's
#   time is unique, so this is most of what a region's first `imr check` would scan.
_ENTRY_ID_LENGTH = 8  # (`imr.records.record.new_entry_id`)
_FEW_DIGITS = rf"[a-z]*(?:[0-9][a-z]*){{0,{_MIN_PHONE_DIGITS - 1}}}"
_NOTHING_TO_FIND = re.compile(
    rf"{_FEW_DIGITS}"
    r"|(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
# Texts of an entry id's length, each of the first kind, each ended by a line break: a record's
# entry ids, told at once.
_ALL_FEW_DIGITS = re.compile(rf"(?:(?=[a-z0-9]{{{_ENTRY_ID_LENGTH}}}\n){_FEW_DIGITS}\n)*")


_NUMBER_TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


@lru_cache(maxsize=1)
def _se_any_type() -> re.Pattern[str]:
    """One pattern for every Swedish number type, built from phonenumbers' own metadata: a
    quick no before the library's full check, which tries the types one by one."""
    import phonenumbers

    metadata = phonenumbers.PhoneMetadata.metadata_for_region("SE")
    patterns = [
        desc.national_number_pattern
        for desc in (getattr(metadata, name) for name in _NUMBER_TYPES)
        if desc is not None and desc.national_number_pattern
    ]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns))


@lru_cache(maxsize=8192)
def _valid_phone(digits: str, international: bool) -> bool:
    """Whether `digits` (national with its leading 0, or with the country code after + / 00)
    is a number phonenumbers' metadata calls valid."""
    import phonenumbers

    if not international:
        national = digits[1:]
        if not national or national[0] == "0" or not _se_any_type().fullmatch(national):
            return False
        return phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=46, national_number=int(national)))
    if not any(int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE for size in (1, 2, 3)):
        return False
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def _number_runs(text: str, minimum: int) -> list[tuple[int, int, int]]:
    """(start, end, digit count) of each run of digit groups ("070-123 45 67", "12 12 12-1212")
    holding at least `minimum` digits. The pattern starts with a digit class, so the regex
    engine skips ordinary text quickly, and every repetition is between disjoint classes."""
    runs = []
    for run in _NUMBER_RUN.finditer(text):
        start, end = run.span()
        if end - start >= minimum:
            raw = run.group(0)
            digits = end - start - sum(raw.count(sep) for sep in _RUN_SEPARATORS)
            if digits >= minimum:
                runs.append((start, end, digits))
    return runs


def _phone_hits(text: str, runs: list[tuple[int, int, int]] | None = None) -> list[tuple[int, int, PiiHit]]:
    out: list[tuple[int, int, PiiHit]] = []
    for start, end, digits in _number_runs(text, _MIN_PHONE_DIGITS) if runs is None else runs:
        if digits < _MIN_PHONE_DIGITS:
            continue
        groups = [(m.start(), m.end(), m.group(0)) for m in _DIGIT_GROUP.finditer(text, start, end)]
        out.extend(_phones_in_run(text, groups, MAX_HITS - len(out)))
        if len(out) >= MAX_HITS:
            break
    return out


class _Start(NamedTuple):
    """A digit group where a phone number may start, and how it starts."""

    boundary: int  # where the number's text starts (at a "+" or "(" before the group)
    plus: bool
    paren: bool
    bare_country: bool
    trunkless: bool
    international: bool


def _phones_in_run(text: str, groups: list[tuple[int, int, str]], limit: int) -> list[tuple[int, int, PiiHit]]:
    """Try each plausible start in a run of digit groups, longest candidate first.

    A start is a group that begins with 0 (trunk prefix, or 00 for abroad) or follows a "+",
    at the start of the run or after a space or "(": so "Rum 12 070-1234567" and
    "kl 14 070 123 45 67" are found, while the "03" in "2026-03-02" is not a start.
    Groups after the first have at least two digits (nobody writes "070 1 2 3 4"), except the
    "(0)" in "+46 (0)70 …". Each start tries at most a handful of candidates, so the work is
    linear in the number of groups.
    """
    out = []
    index = 0
    count = len(groups)
    while index < count:
        start = _phone_start(text, groups[index])
        found = None if start is None else _longest_phone(text, groups, start, _candidates(text, groups, index, start))
        if start is None or found is None:
            index += 1
            continue
        start_at, end_at, last = found
        if start.paren and text[end_at : end_at + 1] == ")":
            end_at += 1
        out.append((start_at, end_at, PiiHit("phone", text[start_at:end_at])))
        if len(out) >= limit:
            break
        index = last + 1
    return out


def _phone_start(text: str, group: tuple[int, int, str]) -> _Start | None:
    """How a phone number starts at this digit group, or None when none can."""
    start, _end, digits = group
    before = text[start - 1] if start > 0 else ""
    plus = before == "+"
    paren = before == "("
    boundary = start - 1 if (plus or paren) else start
    previous = text[boundary - 1] if boundary > 0 else ""
    opens = previous in ("", " ", "\n", "\t", "(", ":", ",", ";", "/") or (
        not previous.isalnum() and previous not in "-."
    )
    if not opens and previous in "-." and boundary > 1 and text[boundary - 2].isalpha():
        opens = True  # "Tel.070-…", "Mobilnr.070-…", "Hem-08-…": a label glued to the number
    # Without a leading 0 or +: the country code typed bare ("46701234567") or a mobile
    # number that lost its trunk 0 ("70-123 45 67"); both held to exact lengths below.
    bare_country = not plus and digits.startswith("46") and len(digits) >= 4  # "4670…", not "46, 70"
    trunkless = not plus and len(digits) == 2 and digits[0] == "7"
    if not opens or not (plus or digits[0] == "0" or bare_country or trunkless) or (not plus and len(digits) < 2):
        return None
    international = plus or digits.startswith("00") or bare_country
    return _Start(boundary, plus, paren, bare_country, trunkless, international)


def _candidates(text: str, groups: list[tuple[int, int, str]], index: int, start: _Start) -> list[tuple[int, str]]:
    """(last group, digits) of each number that starts at group `index`, shortest first."""
    candidates = []
    total = ""
    last = index
    count = len(groups)
    while last < count:
        group = groups[last][2]
        if last > index and len(group) < 2 and not (group == "0" and text[groups[last][0] - 1] == "("):
            break
        if last > index and text[groups[last][0] - 1] not in " -./()_,\n":
            break
        if (
            last > index
            and (
                "," in text[groups[last - 1][1] : groups[last][0]] or "_" in text[groups[last - 1][1] : groups[last][0]]
            )
            and groups[last][0] - groups[last - 1][1] != 1
        ):
            break  # "070,123,45,67" and "070_123_45_67", but not a list "46, 12 34 56 78"
        if len(total) + len(group) > _MAX_PHONE_DIGITS + (2 if start.international and not start.plus else 0):
            break
        total += group
        candidates.append((last, total))
        last += 1
    return candidates


def _longest_phone(
    text: str, groups: list[tuple[int, int, str]], start: _Start, candidates: list[tuple[int, str]]
) -> tuple[int, int, int] | None:
    """(start, end, last group) of the longest candidate that is a valid phone number."""
    for last, digits_so_far in reversed(candidates):
        if len(digits_so_far) < _MIN_PHONE_DIGITS:
            break
        if start.bare_country:
            if len(digits_so_far) < 10:
                break
            key = digits_so_far
        elif start.trunkless:
            if len(digits_so_far) != 9:
                continue
            key = "0" + digits_so_far
        else:
            # phonenumbers drops the trunk 0 of "+46 (0)70 …" itself.
            key = digits_so_far[2:] if start.international and not start.plus else digits_so_far
        end = groups[last][1]
        span_text = text[start.boundary : end + (1 if text[end : end + 1] == ")" and start.paren else 0)]
        if _TIME_OR_DATE.search(span_text):
            continue
        if _valid_phone(key, start.international):
            return (start.boundary, end, last)
    return None


# --------------------------------------------------------------------------------------------
# E-mail addresses

# The domain is matched from just after an '@' (anchored, each label bounded); the local part is
# read backwards from the '@' for at most 64 characters (the limit in RFC 5321). The old
# pattern `[\w.+-]+@…` retried from every character of a long word and was quadratic.
_DOMAIN = re.compile(r"[^\W_](?:[\w-]{0,62})(?:\.[\w-]{1,63}){0,8}\.[^\W\d_]{2,63}(?![\w-])")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_%'")


# Where an address's '@' may stand: the sign itself (with up to two spaces either side, "anna @
# example.se") or the ways Swedes hide it, "(a)", "(at)", "[at]", "{at}", "(snabel-a)", "(alfa)".
# Fixed alternatives of bounded length: one linear pass.
@lru_cache(maxsize=1)
def _at_mark() -> re.Pattern[str]:
    """An address's `@` in any of its spellings (compiled on first use: 4 ms, on every command)."""
    return re.compile(r" {0,2}(?:@|[(\[{] ?(?:at|a|snabel-?a|alfa) ?[)\]}]) {0,2}", re.IGNORECASE)


_AT_HINTS = ("@", "(", "[", "{")


def _email_hits(text: str) -> list[tuple[int, int, PiiHit]]:
    out = []
    for mark in _at_mark().finditer(text):
        domain = _DOMAIN.match(text, mark.end())
        if domain:
            at = mark.start()
            start = at
            limit = max(0, at - 64)
            while start > limit and (text[start - 1] in _LOCAL_CHARS or text[start - 1].isalnum()):
                start -= 1
            while start < at and text[start] == ".":
                start += 1
            if start < at:
                shown = text[start:at] + "@" + text[domain.start() : domain.end()]
                out.append((start, domain.end(), PiiHit("email", shown)))
                if len(out) >= MAX_HITS:
                    break
    return out


# --------------------------------------------------------------------------------------------
# Likely personal names


def _words(block: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in block.split())


# A capitalised word right after one of these is very likely a name ("mamma Eva", "dr Lind").
_RELATIONS = _words("""
    mamma pappa mor far mamman pappan modern fadern morsan farsan
    bror brodern brorsan syster systern syrran syskon sonen dottern son dotter barnet barn
    farmor farfar mormor morfar moster faster morbror farbror kusin kusinen
    svärmor svärfar svåger svägerska styvmor styvfar styvpappa styvmamma bonusmamma bonuspappa
    kompis kompisen vän vännen väninna väninnan pojkvän pojkvännen flickvän flickvännen
    sambo sambon fru frun man mannen make maken maka makan partner partnern pojke flicka
    granne grannen grannar chef chefen kollega kollegan handledare handledaren
    läkare läkaren doktor doktorn dr överläkare överläkaren psykolog psykologen kurator kuratorn
    sjuksköterska sjuksköterskan skötare skötaren skötarna kontaktperson kontaktpersonen
    advokat advokaten ombud ombudet god gode man förvaltare förvaltaren handläggare handläggaren
    präst prästen imam imamen pastor pastorn terapeut terapeuten arbetsterapeut fysioterapeut
    tandläkare tandläkaren polis polisen kriminalvårdare frivårdsinspektör
    herr fröken
    mum mom mother dad father brother sister son daughter wife husband partner friend
    boyfriend girlfriend neighbour neighbor doctor nurse psychologist lawyer aunt uncle cousin
    grandma grandpa mr mrs ms miss
""")
# "man" is also the pronoun ("det kan man Googla"): only after a possessive is it a husband.
_RELATIONS_AFTER_POSSESSIVE = _words("man mannen")
_POSSESSIVES = _words("min mitt din ditt sin sitt hans hennes hens deras vår er my his her their our your")
_TITLES_WITH_DOT = _words("dr doc mr mrs ms")

# Capitalised words that are not people: programme and care terms, authorities, services,
# weekdays, months, holidays, countries, regions and large towns (some of them surname-shaped,
# like Stockholm and Varberg). A workspace adds its own with the allow-list.
_NOT_NAMES = _words("""
    imr imrs lrv lpt lvm lvu lss sip kbt dbt act adhd add ptsd ocd bup fk af nhs vgr slso
    region regionen kommun kommunen landsting landstinget staten
    försäkringskassan arbetsförmedlingen självmordslinjen socialstyrelsen socialtjänsten
    kriminalvården migrationsverket skatteverket kronofogden polisen åklagaren tingsrätten
    förvaltningsrätten kammarrätten ivo patientnämnden vårdguiden hjärnkoll mind suicidzon
    systembolaget apoteket ica coop willys hemköp lidl netto ikea jysk clas ohlson
    netflix spotify youtube facebook instagram tiktok snapchat whatsapp google apple android
    iphone swish bankid sl västtrafik skånetrafiken sj
    rsmh spes attention schizofreniförbundet balans ångestförbundet anhörigas riksförbund
    anonyma alkoholister narkomaner aa na ca röda korset stadsmissionen frälsningsarmén
    gud herren jesus kristus allah buddha bibeln koranen
    måndag tisdag onsdag torsdag fredag lördag söndag
    januari februari mars april maj juni juli augusti september oktober november december
    monday tuesday wednesday thursday friday saturday sunday
    january february march may june july august october
    jul julafton påsk påskafton midsommar midsommarafton nyår nyårsafton advent lucia
    valborg trettondagen ramadan eid
    sverige norge danmark finland island tyskland polen spanien frankrike italien grekland
    turkiet thailand irak iran syrien somalia afghanistan eritrea etiopien bosnien serbien
    kroatien ukraina ryssland england storbritannien usa amerika kanada europa afrika asien
    norden skandinavien
    stockholm göteborg malmö uppsala västerås örebro linköping helsingborg jönköping
    norrköping lund umeå gävle borås södertälje eskilstuna halmstad växjö karlstad sundsvall
    östersund trollhättan luleå kalmar kristianstad skövde falun varberg sundbyberg
    falkenberg ängelholm trelleborg karlskrona visby nyköping solna nacka huddinge botkyrka
    haninge täby järfälla kungsbacka mölndal partille lidköping uddevalla motala landskrona
    piteå skellefteå kiruna örnsköldsvik härnösand borlänge ludvika sandviken hudiksvall
    enköping sigtuna norrtälje katrineholm köping arboga vänersborg alingsås ystad eslöv
    hässleholm gotland öland skåne halland blekinge småland västergötland östergötland
    dalarna värmland norrland lappland jämtland uppland södermanland västmanland gästrikland
    hälsingland medelpad ångermanland västerbotten norrbotten bohuslän dalsland närke
    götaland svealand
    norra södra östra västra gamla nya stora lilla övre nedre sankt
    sahlgrenska karolinska danderyd huddinge
""")
# Endings of institutions and places ("Universitetssjukhuset", "Drottninggatan"); such a word
# is not a person even when it follows another capitalised word.
_PLACE_ENDINGS = (
    "sjukhuset",
    "sjukhus",
    "kliniken",
    "klinik",
    "lasarett",
    "lasarettet",
    "mottagningen",
    "mottagning",
    "centralen",
    "central",
    "kassan",
    "förmedlingen",
    "verket",
    "styrelsen",
    "nämnden",
    "rätten",
    "kommun",
    "kyrkan",
    "kyrka",
    "skolan",
    "skola",
    "huset",
    "gatan",
    "vägen",
    "torget",
    "parken",
    "sjön",
    "ån",
    "älven",
    "berget",
    "ön",
    "staden",
    "stan",
    "köping",
    "borg",
    "stad",
    "hamn",
    "sund",
    "vik",
    "land",
    "landet",
    "förbundet",
    "föreningen",
    "linjen",
    "boendet",
    "avdelningen",
)
_SURNAME_ENDINGS = (
    "sson",
    "son",
    "berg",
    "ström",
    "qvist",
    "kvist",
    "gren",
    "lund",
    "blad",
    "dahl",
    "holm",
    "lind",
    "ell",
    "stedt",
    "stad",
    "strand",
    "mark",
    "fors",
    "sjö",
    "bäck",
    "löf",
    "ander",
    "ius",
    "kvist",
    "quist",
    "stam",
    "hammar",
    "borg",
    "vall",
    "gård",
    "by",
    "in",
    "én",
)
# Ordinary words with a surname-like ending ("Kontaktperson", "Stödperson", "Reason").
_ORDINARY_ENDINGS = ("person", "ason", "eason", "rison", "ison")
# At the start of a sentence any word is capitalised, so only long words with a clear surname
# ending count there ("Andersson ringde."); "-ell", "-in" or "-by" words are too often ordinary
# ("Speciell", "Medicin").
_SURNAME_ENDINGS_AT_START = (
    "sson",
    "son",
    "berg",
    "ström",
    "qvist",
    "kvist",
    "quist",
    "gren",
    "lund",
    "holm",
    "dahl",
    "lind",
    "stedt",
)
# Endings that only count together with a first name or title: on their own they are too
# common in ordinary capitalised words (place names, brands).
_WEAK_SURNAME_ENDINGS = ("stad", "borg", "vall", "gård", "by", "in", "én", "mark", "ius", "ell", "blad")

# Common first names in Sweden. Those that are also ordinary Swedish words ("Per", "Liv",
# "Hans") count only in the middle of a sentence, where the word would otherwise be lowercase.
_FIRST_NAMES = _words("""
    anna eva maria karin kristina lena sara kerstin emma ingrid marie malin jenny birgitta inger
    annika linda susanne elisabeth monica monika sofia sofie hanna johanna ulla katarina margareta
    elin ida helena camilla emelie julia åsa ebba alice maja elsa astrid wilma freja olivia agnes
    alma selma ella ellen stina lisa frida matilda amanda therese jessica caroline louise mikaela
    sandra josefin moa tilda nora ines vera ester siri signe tove petra ulrika pia gunilla britt
    barbro majken agneta anneli madeleine rebecka linnea lovisa emilia isabelle felicia cecilia
    charlotte tuva hedda ronja ylva helen marianne eleonor ingela yvonne carina lina nina mona
    fatima amina aisha leila yasmin mariam zeynep nadia zahra hawa
    lars anders johan erik nils jan lennart olof gunnar sven fredrik peter hans bengt åke daniel
    mikael michael stefan thomas tomas jonas mattias magnus andreas martin alexander kalle leo oscar
    oskar william lucas liam elias hugo noah adam alfred ludvig axel filip viktor emil isak albin
    theo melvin arvid anton gustav olle edvin simon jakob sebastian marcus robin niklas patrik
    joakim henrik tobias kristian christer kent leif roger göran kjell rolf ulf bertil ingvar
    tommy dennis jimmy rasmus jesper carl johannes samuel david benjamin jonathan elliot vincent
    christoffer kristoffer håkan conny claes mats janne pelle lasse mohammed mohammad muhammad
    mohamed ahmed ahmad ali hassan hussein omar yusuf ibrahim mustafa abdi mehmet karim amir reza
    jamal khalid
    per bo dag liv sol vilja björn sten stig rut saga max iris nova lo tom klara linda lena karl
    siri sanna
""")
_FIRST_NAMES_MID_ONLY = _words(
    "per bo dag liv sol vilja björn sten stig rut saga max iris nova lo tom klara linda "
    "lena karl siri sanna hans mona vera alma"
)

# A capitalised word: Latin capital first (A–Z, À–Þ, and Latin Extended, checked again in
# code), then letters, with inner hyphens or apostrophes ("Anna-Karin", "O'Brien").
# The capital comes first and the look-behind (the character before it is no letter) after it:
# the same matches as `(?<![^\W\d_])[A-Z…]…`, but the engine can skip ahead to the next
# capital instead of trying the look-behind at every character.
_CAP_WORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ɏ](?<![^\W\d_].)[^\W\d_]*(?:['’-][^\W\d_]+)*")
_SENTENCE_ENDS = frozenset(".!?:;\n…|•")  # a table cell or a bullet starts like a sentence
_OPENERS = frozenset(" \t\"'”“‘’«»([{*•>#-")


@lru_cache(maxsize=64)
def _casefold_allow(allow: frozenset[str]) -> frozenset[str]:
    words: set[str] = set()
    for entry in allow:
        words.update(part.casefold() for part in str(entry).split())
    return frozenset(words)


def _is_title(word: str) -> bool:
    return word[0].isupper() and len(word) >= 2 and not word.isupper()


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether only spaces, quotes, brackets or a list bullet stand between `start` and the
    start of the text, a line or a sentence (looking back a bounded distance)."""
    position = start - 1
    while position >= 0 and start - position <= 20 and text[position] in _OPENERS:
        position -= 1
    return position < 0 or text[position] in _SENTENCE_ENDS


def _word_before(text: str, end: int) -> tuple[str, int]:
    """The letters just before `end` (at most 30), and where they start."""
    position = end - 1
    while position >= 0 and end - position <= 30 and text[position].isalpha():
        position -= 1
    return text[position + 1 : end], position + 1


def _surname_shaped(folded: str, endings: tuple[str, ...], stem: int = 2) -> bool:
    """Whether the word ends in one of `endings` after a stem of at least `stem` letters."""
    if not folded.endswith(endings) or folded.endswith(_ORDINARY_ENDINGS):
        return False
    return any(folded.endswith(ending) and len(folded) >= len(ending) + stem for ending in endings)


def _not_a_name(folded: str, allow: frozenset[str]) -> bool:
    if folded in _NOT_NAMES or folded in allow:
        return True
    base = folded[:-1] if folded.endswith("s") else folded  # genitive: "Stockholms", "Ica:s"
    if base in _NOT_NAMES or base in allow:
        return True
    return _surname_shaped(folded, _PLACE_ENDINGS, 3) and not _surname_shaped(folded, _SURNAME_ENDINGS_AT_START)


def _relation_before(text: str, start: int) -> bool:
    """Whether a relation or title word stands right before `start` ("mamma Eva", "min bror,
    Johan", "dr. Lind"); a word in the sentence before does not count ("mamma. Eva")."""
    position = start - 1
    while position >= 0 and start - position <= 6 and text[position] in " \t,(.":
        position -= 1
    gap = text[position + 1 : start].replace(" ", "").replace("\t", "")
    word, word_start = _word_before(text, position + 1)
    if not word or gap not in ("", ",", "(", "."):
        return False
    folded = word.casefold()
    if gap == ".":
        return folded in _TITLES_WITH_DOT
    if folded in _RELATIONS_AFTER_POSSESSIVE:
        position = word_start - 1
        while position >= 0 and word_start - position <= 3 and text[position] in " \t":
            position -= 1
        return _word_before(text, position + 1)[0].casefold() in _POSSESSIVES
    return folded in _RELATIONS


def _runs(text: str) -> Iterator[list[re.Match[str]]]:
    """Runs of capitalised words separated by one space ("Kalle Andersson"), lazily, at most
    `_MAX_RUN` words each: a longer row is a heading or a list, and its parts are judged alone."""
    run: list[re.Match[str]] = []
    for match in _CAP_WORD.finditer(text):
        if not _is_title(match.group(0)):
            continue
        if run and (match.start() != run[-1].end() + 1 or text[run[-1].end()] != " " or len(run) >= _MAX_RUN):
            yield run
            run = []
        run.append(match)
    if run:
        yield run


_MAX_RUN = 6


def _name_hits(text: str, allow: Iterable[str]) -> list[tuple[int, int, PiiHit]]:
    allow = _casefold_allow(allow if isinstance(allow, frozenset) else frozenset(allow)) if allow else frozenset()
    out = []
    for run in _runs(text):
        after_relation = _relation_before(text, run[0].start())
        at_start = not after_relation and _at_sentence_start(text, run[0].start())
        # "Mamma Eva …": a leading relation word is the relation, not part of the name.
        while (
            run
            and run[0].group(0).casefold() in _RELATIONS
            and (run[0].group(0).casefold() not in _RELATIONS_AFTER_POSSESSIVE)
        ):
            run = run[1:]
            after_relation = True
            at_start = False
        if not run:
            continue
        folded = [m.group(0).casefold() for m in run]
        name_like = [not _not_a_name(f, allow) for f in folded]
        if not any(name_like):
            continue
        evidence = [False] * len(run)
        for position, (word, likely) in enumerate(zip(folded, name_like, strict=False)):
            if not likely:
                continue
            first_at_start = at_start and position == 0
            # the genitive counts like the name: "Annas mamma", "hos Eriks", "hos Anderssons"
            forms = (word, word[:-1]) if word.endswith("s") and len(word) > 3 else (word,)
            if (position == 0 and after_relation) or any(
                form in _FIRST_NAMES and not (first_at_start and form in _FIRST_NAMES_MID_ONLY) for form in forms
            ):
                evidence[position] = True
            elif first_at_start:
                evidence[position] = any(
                    len(form) >= 7 and _surname_shaped(form, _SURNAME_ENDINGS_AT_START) for form in forms
                )
            elif any(
                _surname_shaped(form, _SURNAME_ENDINGS) and not form.endswith(_WEAK_SURNAME_ENDINGS) for form in forms
            ):
                evidence[position] = True
        # Two or more name-like words in a row in the middle of a sentence ("Kalle Andersson");
        # at the start of a sentence the first word may just be capitalised, so count the rest.
        counted = name_like[1:] if at_start else name_like
        if sum(counted) >= 2:
            for position, likely in enumerate(name_like):
                if likely and not (at_start and position == 0 and not evidence[0]):
                    evidence[position] = True
        if any(evidence):
            # The hit is the name-like words around the evidence (a first name next to a
            # surname belongs to it), reported as one.
            chosen = [
                position
                for position, likely in enumerate(name_like)
                if likely
                and (evidence[position] or _neighbour(evidence, position))
                and not (at_start and position == 0 and not evidence[0])
            ]
            first, last = run[chosen[0]], run[chosen[-1]]
            out.append((first.start(), last.end(), PiiHit("name", text[first.start() : last.end()])))
            if len(out) >= MAX_HITS:
                break
    return out


def _neighbour(evidence: list[bool], position: int) -> bool:
    return (position > 0 and evidence[position - 1]) or (position + 1 < len(evidence) and evidence[position + 1])


# --------------------------------------------------------------------------------------------
# The scanner


def scan_text(text: str, allow: frozenset[str] = frozenset()) -> list[PiiHit]:
    """Everything the guard finds in a free text, in reading order.

    Invisible characters come first (they are found before normalisation, and they may be what
    hides the rest); then the hits in the normalised text by position. Where two hits cover the
    same characters the stronger one is kept (a valid personnummer over a phone number over a
    personnummer-shaped number with a wrong check digit). `allow` holds workspace words that
    look like names but are not; they are compared casefolded.
    """
    if _NOTHING_TO_FIND.fullmatch(text):
        return []
    return _scan(text, allow)


def _scan(text: str, allow: frozenset[str]) -> list[PiiHit]:
    """`scan_text` the long way (what it gives for a text `_NOTHING_TO_FIND` passes is [])."""
    clean, hidden = _normalise(text)
    invisible = _invisible_hits(text, hidden) if hidden else []
    found: list[tuple[int, int, PiiHit]] = []
    if _has_digit(clean):
        runs = _number_runs(clean, _MIN_PHONE_DIGITS)
        if runs:
            found.extend(_personnummer_hits(clean, runs))
            found.extend(_phone_hits(clean, runs))
    if any(hint in clean for hint in _AT_HINTS):
        found.extend(_email_hits(clean))
    found.extend(_name_hits(clean, allow))
    return invisible + [hit for _s, _e, hit in _resolve_overlaps(found)][:MAX_HITS]


_ANY_DIGIT = re.compile(r"[0-9]")


def _has_digit(text: str) -> bool:
    return _ANY_DIGIT.search(text) is not None


def _resolve_overlaps(found: list[tuple[int, int, PiiHit]]) -> list[tuple[int, int, PiiHit]]:
    if len(found) < 2:
        return found
    found.sort(key=lambda item: (item[0], _PRIORITY[item[2].kind]))
    kept: list[tuple[int, int, PiiHit]] = []
    for item in found:
        if kept and item[0] < kept[-1][1]:
            if _PRIORITY[item[2].kind] < _PRIORITY[kept[-1][2].kind]:
                kept[-1] = item
            continue
        kept.append(item)
    return kept


def find_pii(text: str, allow: frozenset[str] = frozenset()) -> PiiHit | None:
    """The first hit that is refused, else the first warning, else None."""
    hits = scan_text(text, allow)
    for hit in hits:
        if hit.severity == "refuse":
            return hit
    return hits[0] if hits else None


# --------------------------------------------------------------------------------------------
# Identifiers

_ID_DIGIT_RUN = re.compile(r"\+?[0-9]+(?:[^0-9A-Za-z]{1,3}[0-9]+)*")


def identifier_problem(value: str) -> PiiHit | None:
    """Why an id, signature, leader, group name or header value must not be used, or None.

    Stricter than free text, because such values end up in file names and PDF names: any run
    of 10 or 12 digits (whatever separates them) that starts with a real date is refused, with
    or without a valid check digit, and so is anything phonenumbers accepts as a number.
    Names are not looked for: a signature is initials ("AB", "M.A", "Eva L").
    """
    if not value:
        return None
    clean, hidden = _normalise(value)
    for hit in _invisible_hits(value, hidden) if hidden else ():
        return hit
    if any(hint in clean for hint in _AT_HINTS):
        emails = _email_hits(clean)
        if emails:
            return emails[0][2]
    if not _has_digit(clean):
        return None
    for run in _ID_DIGIT_RUN.finditer(clean):
        digits = "".join(ch for ch in run.group(0) if ch.isdigit())
        kind = None
        if len(digits) in (10, 12):
            century = digits[:2] if len(digits) == 12 else None
            if century is None or century in ("18", "19", "20"):
                tail = digits[-10:]
                kind = _pnr_kind(century, tail[0:2], tail[2:4], tail[4:6], tail[6:10])
                if kind in ("personnummer", "samordningsnummer"):
                    return PiiHit(kind, run.group(0))
        if len(digits) >= _MIN_PHONE_DIGITS:
            plus = run.group(0).startswith("+")
            international = plus or digits.startswith("00")
            key = digits[2:] if digits.startswith("00") else digits
            if (international or digits[0] == "0") and _valid_phone(key, international):
                return PiiHit("phone", run.group(0))
        if kind is not None:
            return PiiHit(kind, run.group(0))
    for _s, _e, hit in _phone_hits(clean):
        return hit
    return None


# --------------------------------------------------------------------------------------------
# Names in identifiers

# First names that are also ordinary words: in an id or a group name they are the word
# ("dag-grupp", "sol-01", "max-3"), so they do not count there.
_ID_WORDS = _words("per bo dag liv sol vilja björn sten stig rut saga max lo tom klara hans")
_ID_PART = re.compile(r"[^\W\d_]+")
MAX_SIGNATURE_CHARS = 6  # letters and digits in a signature: initials or a short code


def _identifier_name(clean: str, allow: frozenset[str]) -> PiiHit | None:
    """A first name (also in the genitive: "evas") or a surname-shaped word in an id, a group
    name or a signature, unless the ward allows the word."""
    for match in _ID_PART.finditer(clean):
        word = match.group(0).casefold()
        if word in allow or len(word) < 2:
            continue
        bases = (word, word[:-1]) if word.endswith("s") and len(word) > 3 else (word,)
        if any(base in _FIRST_NAMES and base not in _ID_WORDS and base not in allow for base in bases):
            return PiiHit("name", match.group(0))
        if any(
            len(base) >= 7 and _surname_shaped(base, _SURNAME_ENDINGS_AT_START) and not _not_a_name(base, allow)
            for base in bases
        ):
            return PiiHit("name", match.group(0))
    return None


def identifier_name(value: str, allow: Iterable[str] = frozenset()) -> PiiHit | None:
    """A name in a participant id, group name or signature (`kalle-andersson`, `evas-grupp`,
    `Anna Svensson`), or None; `allow` holds the ward's words that look like names but are not."""
    folded = _casefold_allow(allow if isinstance(allow, frozenset) else frozenset(allow)) if allow else frozenset()
    return _identifier_name(normalise(value), folded)


def signature_shape_ok(value: str) -> bool:
    """Initials or a short code: at most `MAX_SIGNATURE_CHARS` letters and digits, with dots,
    dashes or spaces between ("KL", "M.A", "AB2")."""
    kept = [char for char in value if char not in ". -"]
    return 0 < len(kept) <= MAX_SIGNATURE_CHARS and all(char.isalnum() for char in kept)


# --------------------------------------------------------------------------------------------
# Every hand-written place of a record, a group file or imr.yaml

# Fields whose values are identifiers (a signature, a leader, a group's name): held to the
# identifier rules as well as scanned as text.
IDENTIFIER_FIELDS = frozenset({"by", "leader", "leaders", "group"})


def hand_written(value: object, key: str | None = None) -> Iterator[tuple[str, bool]]:
    """Every string in a parsed entry, header or config, at any depth, and every key, each with
    whether it sits in an identifier field. Nothing a person could type is left out: the shape
    checks say what belongs where, this says what must not be anywhere."""
    if isinstance(value, str):
        yield value, key in IDENTIFIER_FIELDS
    elif isinstance(value, dict):
        for name, item in value.items():
            if isinstance(name, str):
                yield name, False
                yield from hand_written(item, name)
            else:
                yield from hand_written(item, key)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from hand_written(item, key)


def hand_written_hit(value: object, allow: frozenset[str] = frozenset(), memo: dict | None = None) -> PiiHit | None:
    """The first refused hit in any hand-written place of `value` (else the first warning):
    free text scanned as free text, identifier fields also by the identifier rules (names,
    numbers in any form). One function for the writer and for `imr check`, with one allow-list.

    The places are `hand_written`'s, in its order; `memo` keeps what each text gave (a text is
    its own key, a text in an identifier field `(text, True)`), so a caller checking many
    entries scans the texts they share once. The walk is written out rather than built on
    `hand_written`: checking a region's records is mostly this walk."""
    first_warning: list[PiiHit] = []
    return _refused_in(value, False, allow, {} if memo is None else memo, first_warning) or (
        first_warning[0] if first_warning else None
    )


def _text_hit(text: str, identifier: bool, allow: frozenset[str], memo: dict) -> PiiHit | None:
    key = (text, True) if identifier else text
    found = memo.get(key, _UNSEEN)
    if found is not _UNSEEN:
        return found
    if not identifier and _NOTHING_TO_FIND.fullmatch(text):
        found = None  # (an entry id, a field's name: what `find_pii` would say, sooner)
    else:
        found = find_pii(text, allow)
        if identifier and (found is None or found.severity != "refuse"):
            found = identifier_problem(text) or identifier_name(text, allow) or found
    memo[key] = found
    return found


_UNSEEN = object()


def _refused_in(
    value: object, identifier: bool, allow: frozenset[str], memo: dict, first_warning: list[PiiHit]
) -> PiiHit | None:
    """The first refused hit in `value`'s hand-written places; the first warning before it goes
    into `first_warning`."""
    if isinstance(value, str):
        hit = _text_hit(value, identifier, allow, memo)
    elif isinstance(value, dict):
        return _refused_in_mapping(value, identifier, allow, memo, first_warning)
    elif isinstance(value, (list, tuple)):
        if not identifier and _all_entries_clean(value, allow, memo):
            return None
        for item in value:
            if isinstance(item, dict):  # a record's entries: straight to the mapping's walk
                hit = _refused_in_mapping(item, identifier, allow, memo, first_warning)
            elif item.__class__ is not int and item.__class__ is not bool and item is not None:
                hit = _refused_in(item, identifier, allow, memo, first_warning)
            else:
                continue
            if hit is not None:
                return hit
        return None
    else:
        return None
    if hit is not None and hit.severity != "refuse":
        first_warning[:] = first_warning or [hit]
        return None
    return hit


def _refused_in_mapping(
    value: dict, identifier: bool, allow: frozenset[str], memo: dict, first_warning: list[PiiHit]
) -> PiiHit | None:
    """`_refused_in` for a mapping: its keys, and its values under each key (inline for texts
    and lists of texts, most of a record)."""
    if not identifier and _all_entries_clean((value,), allow, memo):
        return None
    clean_keys = _clean_sets(memo)[0]
    for name, item in value.items():
        if isinstance(name, str):
            hit = memo[name] if name in memo else _text_hit(name, False, allow, memo)
            if hit is not None:
                if hit.severity == "refuse":
                    return hit
                first_warning[:] = first_warning or [hit]
            elif len(clean_keys) < _CLEAN_MAX:
                clean_keys.add(name)
            inner = name in IDENTIFIER_FIELDS
        else:
            inner = identifier
        if item.__class__ is str and not inner:  # most of a record: a plain field's text
            hit = memo[item] if item in memo else _text_hit(item, False, allow, memo)
            if hit is not None:
                if hit.severity == "refuse":
                    return hit
                first_warning[:] = first_warning or [hit]
        elif item.__class__ is list and not inner and all(text.__class__ is str for text in item):
            for text in item:  # a list of texts (a goal's steps), without a call for each
                hit = memo[text] if text in memo else _text_hit(text, False, allow, memo)
                if hit is not None:
                    if hit.severity == "refuse":
                        return hit
                    first_warning[:] = first_warning or [hit]
        elif item.__class__ is not int and item.__class__ is not bool and item is not None:
            hit = _refused_in(item, inner, allow, memo, first_warning)
            if hit is not None:
                return hit
    return None


# In a memo, under this key: the keys, the values and the identifier fields' values found
# clean so far (numbers and booleans are never text, so they are clean by being what they are).
_CLEAN = object()
_CLEAN_MAX = 100_000


def _clean_sets(memo: dict) -> tuple[set, set, set]:
    clean = memo.get(_CLEAN)
    if clean is None:
        clean = memo[_CLEAN] = (set(), {None, True, False}, set())
    return clean


def _all_entries_clean(items: list | tuple, allow: frozenset[str], memo: dict) -> bool:
    """Whether nothing in these mappings of scalars (a record's entries, or one mapping) can
    hit: the keys of all of them, and their values (and the items of lists of scalars among
    them), are compared with those found clean before in one set operation each, and only what
    is new (the ids, times and notes seen for the first time) is looked at. False for anything
    else, or when anything may hit: the caller then walks them place by place and finds the
    same."""
    if not items or set(map(type, items)) != {dict}:
        return False
    keys, values, identifiers = _clean_sets(memo)
    used = set().union(*items)  # every field name in any of them
    if not keys.issuperset(used):
        return False
    found = _flattened(items)  # (most records hold a list somewhere: a rating's scores, a goal's steps)
    if found is None:
        return False
    rest = found - values
    ids = []  # texts of an entry id's length: the ids, new in every entry, looked at together below
    for text in rest:
        if text.__class__ is str:
            if len(text) == _ENTRY_ID_LENGTH:
                ids.append(text)
                continue
            if not _NOTHING_TO_FIND.fullmatch(text) and _text_hit(text, False, allow, memo) is not None:
                return False
        elif not isinstance(text, (int, float)):
            return False
        if len(values) < _CLEAN_MAX:
            values.add(text)
    if ids and not _ids_clean(ids, values, allow, memo):
        return False
    return _identifiers_clean(items, IDENTIFIER_FIELDS.intersection(used), identifiers, allow, memo)


def _identifiers_clean(
    items: list | tuple, fields: frozenset[str], identifiers: set, allow: frozenset[str], memo: dict
) -> bool:
    """Whether the values of these identifier fields are clean as identifiers too."""
    for field in fields:
        try:
            names = {item[field] for item in items if field in item} - identifiers
        except TypeError:  # a list of names (`leaders`): walked one by one
            return False
        for name in names:
            if name.__class__ is not str or _text_hit(name, True, allow, memo) is not None:
                return False
            if len(identifiers) < _CLEAN_MAX:
                identifiers.add(name)
    return True


def _ids_clean(ids: list[str], values: set, allow: frozenset[str], memo: dict) -> bool:
    """Whether these texts of an entry id's length are clean: at once when all are ids (as
    good as always), else each looked at (and remembered, but an id)."""
    if _ALL_FEW_DIGITS.fullmatch("\n".join(ids) + "\n") is not None:
        return True
    for text in ids:
        if _NOTHING_TO_FIND.fullmatch(text):
            continue
        if _text_hit(text, False, allow, memo) is not None:
            return False
        if len(values) < _CLEAN_MAX:
            values.add(text)
    return True


def _flattened(items: list | tuple) -> set | None:
    """The values of every mapping in `items` and the items of those values that are lists of
    scalars, as one set (what the walk looks at in a list of texts or numbers: each item, as a
    plain field's text); None when anything is nested deeper (a mapping, a list of mappings),
    which only the walk looks at."""
    found: set = set()
    for item in items:
        try:
            found.update(item.values())
        except TypeError:
            for value in item.values():
                if value.__class__ is list:
                    try:
                        found.update(value)
                    except TypeError:
                        return None
                elif value.__class__ is dict:
                    return None
                else:
                    found.add(value)
    return found


def comments(text: str, skip: frozenset[str] = frozenset()) -> Iterator[tuple[int, str]]:
    """(line number, comment) for every YAML comment in `text`: whole-line comments, comments
    after a `- ` item or a value, on any line. A `#` counts at the start of a line or after a
    space or tab, as in YAML; one inside a quoted value is scanned too (it is text from the
    same file, and any hit in it is a hit in that value as well). Lines in `skip` (imr's own
    header) are no one's data."""
    if "#" not in text:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line or line in skip:
            continue
        at = line.find("#")
        while at > 0 and line[at - 1] not in " \t":
            at = line.find("#", at + 1)
            if at < 0:
                break
        if at >= 0:
            yield number, line[at + 1 :]

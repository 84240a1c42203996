"""LIX on small texts whose counts are known by hand, and on Markdown."""

from imr.curriculum.lix import markdown_readability, markdown_to_prose, readability


def test_known_text():
    # 8 words, 2 sentences, long words (> 6 letters): none -> 8/2 + 0 = 4.0
    r = readability("Jag heter Sara. Jag bor i en stad.")
    assert (r.words, r.sentences, r.long_words, r.lix) == (8, 2, 0, 4.0)


def test_long_words_counted():
    # 4 words, 1 sentence, 2 long words (återhämtning, programmet) -> 4 + 50 = 54.0
    r = readability("Återhämtning tar tid programmet.")
    assert (r.words, r.sentences, r.long_words) == (4, 1, 2)
    assert r.lix == 54.0


def test_exactly_six_letters_is_not_long():
    assert readability("Hennes.").long_words == 0
    assert readability("Hennes1.").long_words == 0
    assert readability("Ordning.").long_words == 1


def test_empty_text():
    assert readability("").lix == 0.0


def test_markdown_blocks_end_sentences():
    md = "## Rubrik {#intro}\n\nEn mening som\nfortsätter här.\n\n- punkt ett\n- punkt två\n"
    prose = markdown_to_prose(md)
    assert prose.splitlines() == ["Rubrik", "En mening som fortsätter här.", "punkt ett", "punkt två"]
    assert markdown_readability(md).sentences == 4


def test_pandoc_divs_do_not_count():
    md = '::::: {.worksheet #ab-1-x title="Mitt mål"}\nSkriv här.\n\n::: {.lines n=3}\n:::\n:::::\n'
    r = markdown_readability(md)
    assert r.words == 2 and r.sentences == 1


def test_prose_sentence_figures_leave_out_headings_lists_tables_and_worksheets():
    md = (
        "## En rubrik som är lång nog {#intro}\n\n"
        "Det här är en mening med nio ord i sig. Kort mening här.\n\n"
        "- en punkt i en lista räknas inte\n\n"
        "| cell | en annan cell |\n|---|---|\n\n"
        '::: {.worksheet #ab-1-x title="Mitt mål"}\nSkriv här.\n:::\n'
    )
    r = markdown_readability(md)
    # Prose: "Det här är en mening med nio ord i sig" (10 words) and "Kort mening här" (3 words).
    assert (r.prose_words, r.prose_sentences, r.short_sentences) == (13, 2, 1)
    assert (r.mean_sentence_words, r.short_share) == (6.5, 0.5)
    # LIX still counts every block: heading, two sentences, item, two cells, worksheet line.
    assert r.sentences == 7
    prose = markdown_readability(md, prose_only=True)
    assert (prose.words, prose.sentences, prose.prose_sentences) == (13, 2, 2)


def test_pooled_figures_weigh_every_sentence():
    a = readability("Ett två tre fyra fem sex sju åtta nio tio.", prose="Ett två tre fyra fem sex sju åtta nio tio.")
    b = readability("Ja. Nej.", prose="Ja. Nej.")
    both = a + b
    assert (both.prose_sentences, both.short_sentences, both.mean_sentence_words) == (3, 2, 4.0)
    assert both.lix == readability("Ett två tre fyra fem sex sju åtta nio tio. Ja. Nej.").lix

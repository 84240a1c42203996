"""The weekly loop in a real browser, by the words on the page: Debian's chromium driven through
chromedriver (Selenium), against `imr web --no-browser` in a workspace shared through a bare
repository. One browser and one server for the module, and one test that walks through the week
step by step (each step a function below, listed in STEPS).

Every step that saves checks the record's bytes afterwards: the earlier bytes unchanged, one new
entry at the end. Skipped, with the reason, when no chromium or chromedriver is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import shared_workspaces
from tests.web_support import WebServer

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no chromium and chromedriver installed (apt-get install chromium chromium-driver)",
)
SHOTS = os.environ.get("IMR_WEB_SCREENSHOTS")  # a folder: keep a screenshot of every page there

PAGES = [
    "Idag",
    "Planera",
    "Anteckna",
    "Frånvaro",
    "Gruppträff",
    "Mål",
    "Återfallsplan",
    "IMR-skalan",
    "Skriv ut",
    "Dela",
    "Översikt",
    "Ändringar",
]


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """Clone A (served) and clone B of one workspace shared through a bare repository."""
    with shared_workspaces(tmp_path_factory, "webweek") as (base, imr):
        root = base / "a"
        imr.ok("init", str(root), "--name", "Testavdelning")
        imr.root = root
        for pid in ("p-01", "p-02", "p-03"):
            imr.ok("patient", "add", pid)
        imr.ok("goal", "add", "p-01", "Gå en promenad varje dag", "--step", "Gå till affären")
        imr.ok("group", "create", "torsdag", "--weekday", "torsdag")
        imr.ok("group", "add", "torsdag", "p-02", "p-03")
        imr.commit_all("start")
        bare = base / "shared.git"
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
        _git(root, "remote", "add", "origin", str(bare))
        _git(root, "push", "-q", "-u", "origin", "HEAD")
        other = base / "b"
        subprocess.run(["git", "clone", "-q", str(bare), str(other)], check=True)
        server = WebServer(root, base / "home")  # no signature anywhere: the page asks for it
        try:
            yield imr, server, other
        finally:
            server.stop()


@pytest.fixture(scope="module")
def browser(week):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    _, server, _ = week
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = server.home / "chromium-profile"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1366,768",
        "--lang=sv",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


# ---- by the words on the page ----------------------------------------------------------


def _literal(text: str) -> str:
    return "concat('" + "', \"'\", '".join(text.split("'")) + "', '')"


def field(driver, label: str):
    """The control whose label starts with these words (the label may go on: '(måste fyllas i)')."""
    from selenium.webdriver.common.by import By

    found = driver.find_element(By.XPATH, f"//label[normalize-space(text()[1])={_literal(label)}]")
    return driver.find_element(By.ID, found.get_attribute("for"))


def fill(driver, label: str, text: str) -> None:
    element = field(driver, label)
    element.clear()
    element.send_keys(text)


def select(driver, label: str, option: str) -> None:
    from selenium.webdriver.support.ui import Select

    chooser = Select(field(driver, label))
    matches = [o.text for o in chooser.options if o.text == option or o.text.startswith(option + " ")]
    assert matches, f"no option {option!r} under {label!r}"
    chooser.select_by_visible_text(matches[0])


def choose(driver, legend: str, option: str) -> None:
    """Click the option (radio or check box) labelled `option` in the group whose legend starts with `legend`."""
    from selenium.webdriver.common.by import By

    group = driver.find_element(By.XPATH, f"//fieldset[legend[normalize-space(text()[1])={_literal(legend)}]]")
    group.find_element(By.XPATH, f".//label[normalize-space()={_literal(option)}]").click()


def _then_new_page(driver, element) -> None:
    """Click, and wait until the browser shows the page that the click loaded (a mark left on the
    old page's window is gone and the new one has loaded)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__imrOldPage = true")
    try:
        element.click()
    except WebDriverException as error:
        # chromedriver sometimes looks at the clicked node again after the click has already
        # loaded the next page; the click happened (the wait below proves the page changed).
        if "does not belong to the document" not in str(error):
            raise
    WebDriverWait(driver, 120, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__imrOldPage === undefined && document.readyState === 'complete'")
    )


def press(driver, text: str) -> None:
    from selenium.webdriver.common.by import By

    _then_new_page(driver, driver.find_element(By.XPATH, f"//button[normalize-space()={_literal(text)}]"))


def go(driver, page: str) -> None:
    from selenium.webdriver.common.by import By

    _then_new_page(driver, driver.find_element(By.XPATH, f"//nav//a[normalize-space()={_literal(page)}]"))
    assert heading(driver) == page


def heading(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "h1").text


def page_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "main").text


def open_for(driver, page: str, who: str, chooser: str = "Deltagare") -> None:
    go(driver, page)
    select(driver, chooser, who)
    press(driver, "Välj")


def appended_entries(before: bytes, after: bytes) -> str:
    assert after.startswith(before), "earlier bytes of the record changed"
    return after[len(before) :].decode("utf-8")


# ---- the week ------------------------------------------------------------------------------


def test_the_weekly_loop_in_the_browser(week, browser):
    """One browser through the week, step by step in this order (each step builds on the last,
    so they are one test: pytest-xdist never splits them across processes)."""
    for step in STEPS:
        step(week, browser)


def step_the_signature_is_asked_on_first_use_and_kept_for_the_user(week, browser):
    _, server, _ = week
    browser.get(server.first_line)
    assert heading(browser) == "Din signatur"
    assert "token=" not in browser.current_url
    fill(browser, "Signatur", "K@L")
    press(browser, "Spara signaturen")
    assert heading(browser) == "Din signatur"
    assert field(browser, "Signatur").get_attribute("aria-invalid") == "true"
    assert field(browser, "Signatur").get_attribute("value") == "K@L"
    fill(browser, "Signatur", "KL")
    press(browser, "Spara signaturen")
    assert heading(browser) == "Idag"
    settings = server.home / ".config" / "imr" / "settings.yaml"
    assert "signature: KL" in settings.read_text(encoding="utf-8")
    assert "Du signerar som KL" in browser.find_element("tag name", "header").text


def step_today_shows_who_is_due_and_the_groups(week, browser):
    go(browser, "Idag")
    text = page_text(browser)
    assert "p-01" in text and "torsdag" in text and "Den här veckan" in text


def step_plan_shows_the_eight_steps(week, browser):
    from selenium.webdriver.common.by import By

    go(browser, "Planera")
    select(browser, "Deltagare", "p-01")
    press(browser, "Visa planen")
    assert "1.1" in browser.find_element(By.TAG_NAME, "h2").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "ol.steps > li")) == 8
    assert "Gå till affären" in page_text(browser)


def step_a_name_in_the_note_marks_the_field_keeps_the_text_and_writes_nothing(week, browser):
    imr, _, _ = week
    before = imr.snapshot()
    open_for(browser, "Anteckna", "p-01")
    note = "Pratade länge med Anna Svensson om veckan"
    fill(browser, "Anteckning", note)
    press(browser, "Granska")
    note_box = field(browser, "Anteckning")
    assert note_box.get_attribute("aria-invalid") == "true"
    assert note_box.get_attribute("value") == note
    assert "personuppgifter" in page_text(browser)
    assert imr.snapshot() == before


def step_log_a_session(week, browser):
    imr, _, _ = week
    before = imr.record("p-01").read_bytes()
    open_for(browser, "Anteckna", "p-01")
    select(browser, "Vilken träff", "1.1")
    fill(browser, "Datum", "idag")
    choose(browser, "Kom deltagaren", "Ja")
    fill(browser, "Ny hemuppgift", "Skriv ner tre saker som hjälper")
    fill(browser, "Anteckning", "Bra samtal om vad återhämtning betyder")
    press(browser, "Granska")
    assert "Sammanfattning" in page_text(browser)
    press(browser, "Spara")
    assert "Sparat" in page_text(browser)
    added = appended_entries(before, imr.record("p-01").read_bytes())
    assert added.count("kind: session") == 1 and "module: 1" in added and "session: 1" in added
    assert "Bra samtal om vad återhämtning betyder" in added and "by: KL" in added
    assert "Skriv ner tre saker som hjälper" in added
    assert "steps_done" not in added  # the step box was left unticked: no step is marked done


def step_log_a_group_meeting_with_one_absent_member(week, browser):
    imr, _, _ = week
    before = {pid: imr.record(pid).read_bytes() for pid in ("p-02", "p-03")}
    open_for(browser, "Gruppträff", "torsdag", chooser="Grupp")
    choose(browser, "Kom p-03", "Nej")
    press(browser, "Granska")
    press(browser, "Spara")
    assert "Sparat" in page_text(browser)
    present = appended_entries(before["p-02"], imr.record("p-02").read_bytes())
    absent = appended_entries(before["p-03"], imr.record("p-03").read_bytes())
    assert "kind: session" in present and "group: torsdag" in present
    assert "kind: absent" in absent and "group: torsdag" in absent


def step_add_a_goal(week, browser):
    imr, _, _ = week
    before = imr.record("p-02").read_bytes()
    open_for(browser, "Mål", "p-02")
    fill(browser, "Målet med deltagarens egna ord", "Sova bättre")
    fill(browser, "Första delmålen, ett per rad", "Lägga mig före elva\nInget kaffe efter tre")
    press(browser, "Granska")
    press(browser, "Spara")
    assert "Sparat" in page_text(browser)
    added = appended_entries(before, imr.record("p-02").read_bytes())
    assert added.count("kind: goal\n") == 1 and "Sova bättre" in added
    assert "Lägga mig före elva" in added and "Inget kaffe efter tre" in added
    assert "Sova bättre" in page_text(browser)  # the goal list beside the form shows it


def step_add_to_the_relapse_plan(week, browser):
    imr, _, _ = week
    before = imr.record("p-01").read_bytes()
    open_for(browser, "Återfallsplan", "p-01")
    fill(browser, "Tidiga varningstecken", "Sover dåligt\nDrar mig undan")
    fill(browser, "Vid kris", "Ring avdelningen")
    press(browser, "Granska")
    press(browser, "Spara")
    assert "Sparat" in page_text(browser)
    added = appended_entries(before, imr.record("p-01").read_bytes())
    assert "kind: relapse-plan" in added and "Sover dåligt" in added and "Drar mig undan" in added
    # A second version removes one warning sign and adds a trigger; the history keeps both.
    before = imr.record("p-01").read_bytes()
    fill(browser, "Tidiga varningstecken", "Sover dåligt")
    fill(browser, "Det här har satt igång symtom tidigare", "Bråk på avdelningen")
    press(browser, "Granska")
    press(browser, "Spara")
    added = appended_entries(before, imr.record("p-01").read_bytes())
    assert "Bråk på avdelningen" in added and "Drar mig undan" not in added
    assert "Version 1," in browser.page_source and "Version 2," in browser.page_source  # the history


def step_rate_the_imr_scale(week, browser):
    imr, _, _ = week
    before = imr.record("p-01").read_bytes()
    open_for(browser, "IMR-skalan", "p-01")
    choose(browser, "Vem svarar", "personal")
    for number in range(1, 16):
        legend = f"Fråga {number} av 15"
        from selenium.webdriver.common.by import By

        group = browser.find_element(
            By.XPATH, f"//fieldset[legend[starts-with(normalize-space(), {_literal(legend)})]]"
        )
        labels = group.find_elements(By.TAG_NAME, "label")
        assert len(labels) == (6 if number >= 13 else 5)  # the anchors; 13–15 also "not applicable"
        labels[-1 if number == 15 else 2].click()
    press(browser, "Granska")
    press(browser, "Spara")
    assert "Sparat" in page_text(browser)
    added = appended_entries(before, imr.record("p-01").read_bytes())
    assert "kind: imrs" in added and "rater: clinician" in added
    assert re.search(r"scores:\n( *- 3\n){14} *- na\n", added), added
    assert browser.find_element(By.CSS_SELECTOR, "img.chart").get_attribute("naturalWidth") != "0"


def step_print_gives_a_pdf(week, browser):
    go(browser, "Skriv ut")
    select(browser, "Deltagare", "p-01")
    choose(browser, "Vad", "Personlig pärm")
    # Headless chromium saves a PDF instead of showing it; the browser fetches what the form
    # would open, with its own cookie, and hands back the first bytes.
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const form = document.querySelector('form[action="/skriv-ut/pdf"]');
        const url = form.action + '?' + new URLSearchParams(new FormData(form)).toString();
        fetch(url).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'),
            String.fromCharCode(...new Uint8Array(b.slice(0, 5))), b.byteLength])));
    """)
    status, kind, magic, size = result
    assert status == 200 and kind == "application/pdf" and magic == "%PDF-" and size > 10_000


def step_share_sends_the_entries_to_the_other_clone(week, browser):
    imr, _, other = week
    go(browser, "Dela")
    press(browser, "Dela nu")
    assert heading(browser) == "Dela"
    assert "Synkat. Skickat: 3 ändrade filer" in page_text(browser), page_text(browser)
    done = subprocess.run(["git", "-C", str(other), "pull", "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for pid in ("p-01", "p-02", "p-03"):
        assert (other / "records" / f"{pid}.yaml").read_bytes() == imr.record(pid).read_bytes()
    assert _git(imr.root, "status", "--porcelain", "records") == ""


def step_every_page_passes_axe_and_reflows_at_200_percent(week, browser):
    """axe-core in the real browser: no serious or critical violation on any page, at 1366×768
    and at 200 % zoom (the same screen with half the CSS pixels), and no sideways scrolling."""
    axe = _axe_source()
    shots = Path(SHOTS) if SHOTS else None
    failures = []
    for zoom in (1, 2):
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1366 // zoom, "height": 768 // zoom, "deviceScaleFactor": zoom, "mobile": False},
        )
        for name in PAGES:
            _open_page(browser, name)
            for problem in _axe(browser, axe):
                failures.append(f"{name} at {zoom * 100} %: {problem}")
            wide = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            if wide > 1:
                failures.append(f"{name} at {zoom * 100} %: scrolls sideways by {wide}px")
            if shots:
                shots.mkdir(parents=True, exist_ok=True)
                slug = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(str.maketrans("åäöé", "aaoe")))
                browser.execute_script("window.scrollTo(0, 0)")
                browser.save_screenshot(str(shots / f"{slug}-{zoom * 100}.png"))
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not failures, "\n".join(failures)


def step_the_whole_loop_works_with_the_keyboard_alone(week, browser):
    """Tab reaches the skip link first, then the navigation; Enter on a link opens its page."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    go(browser, "Idag")
    browser.get(browser.current_url)  # a fresh load: focus starts at the top of the page
    ActionChains(browser).send_keys(Keys.TAB).perform()
    active = browser.switch_to.active_element
    assert active.text == "Hoppa till innehållet"
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    for _ in range(40):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element.text == "Anteckna":
            break
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert heading(browser) == "Anteckna"


def _open_page(driver, name: str) -> None:
    """Each page as staff see it: with a participant or group chosen where the page needs one."""
    go(driver, name)
    if name in ("Planera",):
        select(driver, "Deltagare", "p-01")
        press(driver, "Visa planen")
    elif name in ("Anteckna", "Frånvaro", "Mål", "Återfallsplan", "IMR-skalan"):
        select(driver, "Deltagare", "p-01")
        press(driver, "Välj")
    elif name == "Gruppträff":
        select(driver, "Grupp", "torsdag")
        press(driver, "Välj")


def _axe_source() -> str:
    try:
        import axe_selenium_python
    except ImportError:
        pytest.skip("axe-selenium-python (which ships axe-core) is not installed")
    path = Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_text(encoding="utf-8")


def _axe(driver, source: str) -> list[str]:
    driver.execute_script(source)
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v =>
            [v.impact, v.id, v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')])));
    """)
    return [f"{impact} {rule} ({where})" for impact, rule, where in result if impact in ("serious", "critical")]


STEPS = [
    step_the_signature_is_asked_on_first_use_and_kept_for_the_user,
    step_today_shows_who_is_due_and_the_groups,
    step_plan_shows_the_eight_steps,
    step_a_name_in_the_note_marks_the_field_keeps_the_text_and_writes_nothing,
    step_log_a_session,
    step_log_a_group_meeting_with_one_absent_member,
    step_add_a_goal,
    step_add_to_the_relapse_plan,
    step_rate_the_imr_scale,
    step_print_gives_a_pdf,
    step_share_sends_the_entries_to_the_other_clone,
    step_every_page_passes_axe_and_reflows_at_200_percent,
    step_the_whole_loop_works_with_the_keyboard_alone,
]

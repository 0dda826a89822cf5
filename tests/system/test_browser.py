"""What only a browser can show: keyboard use, layout, accessibility and print, in real Chromium.

The pages are served by gunicorn with the bundled real data (tests/served.py), and driven through
Playwright's sync API in Debian's headless Chromium (``CHROMIUM`` overrides the path; no
``playwright install`` is needed). Without the binary these tests are skipped, or fail in CI.

Set ``OCCMAPS_SCREENSHOTS`` to a folder to keep a full-page screenshot of every page the layout
test checks.
"""

import json
import os
import re
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from occupations.models import Occupation
from routes.models import Route
from tests.bundled import load_bundled
from tests.bundled import prepared_rows as bundled_rows
from tests.conftest import require
from tests.served import database_of_its_own, gunicorn, site_env

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE, DESKTOP = 375, 1280
HEIGHT = 800

# One page of each kind, on the bundled real data: OCC0118 is Data analyst, on the Digital route,
# with progression, keywords and SOC codes; 3544 is its SOC 2020 unit group.
PAGES = {
    "home": "/",
    "route map": "/routes/digital/",
    "focused route map": "/routes/digital/?focus=OCC0118",
    "occupation with many links": "/occupations/OCC0795/",
    "API docs": "/api/",
    "occupation": "/occupations/OCC0118/",
    "search results": "/occupations/?q=software",
    "search without results": "/occupations/?q=beautician",
    "SOC unit group": "/soc/2020/3544/",
}


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module. (Playwright's sync API runs an asyncio event loop
    in this thread: the tests make no database calls while it is open.)"""
    require(
        "Chromium",
        Path(CHROMIUM).is_file(),
        f"none at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)",
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, collected_static, tmp_path_factory):
    """The site under gunicorn, as in production (static files served by WhiteNoise from what
    the session collected), on a database of its own holding the bundled real data. The pages
    are only read, so one server and one database serve the whole module."""
    with django_db_blocker.unblock():
        bundled_rows("bundled")
    folder = tmp_path_factory.mktemp("browser")
    with (
        database_of_its_own(folder, "bundled") as database_url,
        gunicorn(site_env(collected_static, database_url), threads=4) as base,
    ):
        yield base


@pytest.mark.django_db
def test_the_site_serves_the_bundled_data(site):
    """The served database is a copy of the test database with the bundled data. (The first
    test of the module, before the browser starts: its database marker also makes the session
    set up the test database when only this module runs.)"""
    load_bundled()
    with urllib.request.urlopen(f"{site}/api/v1/routes", timeout=30) as response:
        served = {route["slug"]: route for route in json.load(response)}
    assert set(served) == set(Route.objects.values_list("slug", flat=True))
    assert len(served) == 15
    assert sum(route["occupation_count"] for route in served.values()) == Occupation.objects.count()


@pytest.fixture
def page(browser, site):
    """A page at desktop width; the test fails if a request fails or the console shows an error."""
    context = browser.new_context(viewport={"width": DESKTOP, "height": HEIGHT})
    tab = context.new_page()
    failed = []
    tab.on(
        "response",
        lambda response: (
            response.status >= 400 and failed.append(f"{response.status} {response.url}")
        ),
    )
    tab.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
    # Errors in the console include the browser's reports of anything the Content-Security-Policy
    # blocked, such as an inline style or script.
    tab.on(
        "console",
        lambda message: message.type == "error" and failed.append(f"console: {message.text}"),
    )
    tab.on("pageerror", lambda error: failed.append(f"page error: {error}"))
    yield tab
    context.close()
    assert not failed, f"the browser reported problems: {failed}"


def visit(page, site, path, width):
    page.set_viewport_size({"width": width, "height": HEIGHT})
    response = page.goto(site + path)
    assert response.status == 200, path
    return page


# -- Keyboard --------------------------------------------------------------------------------

FOCUS_STYLE = """el => {
  const look = () => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle === "none" || s.outlineColor === "rgba(0, 0, 0, 0)"
      ? "none" : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
    return {outline, boxShadow: s.boxShadow, background: s.backgroundColor};
  };
  const focused = look();
  el.blur();
  const unfocused = look();
  el.focus();
  return {focused, unfocused, stillFocused: document.activeElement === el};
}"""


def tab_until(page, selector, limit=80):
    """Press Tab until the focused element matches ``selector``; return it and the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return page.evaluate_handle("document.activeElement").as_element(), presses
    pytest.fail(f"{selector} not reached in {limit} presses of Tab on {page.url}")


def assert_focus_visible(element):
    styles = element.evaluate(FOCUS_STYLE)
    assert styles["stillFocused"]
    assert styles["focused"] != styles["unfocused"], f"no visible focus on {element}: {styles}"


def test_keyboard_only_from_home_through_the_map_to_an_occupation(page, site):
    visit(page, site, "/", DESKTOP)

    skip, presses = tab_until(page, "a", limit=1)
    assert presses == 1 and skip.get_attribute("class") == "skip-link", "skip link comes first"
    assert skip.get_attribute("href") == "#main"
    assert skip.is_visible() and skip.bounding_box()["x"] >= 0, "the skip link shows on focus"
    assert_focus_visible(skip)

    route, _ = tab_until(page, 'a[href="/routes/digital/"]')
    assert route.inner_text() == "Digital"
    assert_focus_visible(route)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site + "/routes/digital/"
    assert page.locator("h1").inner_text() == "Digital"

    card, presses = tab_until(page, "a.card__title")
    assert_focus_visible(card)
    title = card.inner_text()
    href = card.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site + href
    assert re.fullmatch(r"/occupations/OCC\d{4}[A-Z]?/", href)
    assert page.locator("h1").inner_text() == title


def test_skip_link_moves_focus_to_the_main_content(page, site):
    visit(page, site, "/routes/digital/", DESKTOP)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab stop is inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


# -- Layout ----------------------------------------------------------------------------------

STICKING_OUT = """vw => {
  const clips = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "");
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    // The skip link waits off-screen until focused; visually hidden text is clipped to 1px.
    if (el.closest(".skip-link, .visually-hidden") || clips(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.right > vw + 0.5) {
      out.push(`${name(el)} spans ${Math.round(r.left)} to ${Math.round(r.right)}`);
    }
  }
  return out;
}"""

ROW_CELLS = """() => [...document.querySelectorAll(".map-grid__row")].map(row =>
  [...row.querySelectorAll(":scope > .map-cell")].map(cell => {
    const r = cell.getBoundingClientRect();
    return {x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width)};
  }))"""


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("name", PAGES)
def test_layout_fits_the_width(page, site, name, width):
    visit(page, site, PAGES[name], width)
    if folder := os.environ.get("OCCMAPS_SCREENSHOTS"):
        slug = re.sub(r"\W+", "-", name)
        page.screenshot(path=Path(folder) / f"{slug}-{width}.png", full_page=True)
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Arial")

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width}px: {scroll_width}px wide"
    sticking_out = page.evaluate(STICKING_OUT, width)
    assert not sticking_out, f"{name} at {width}px: " + "; ".join(sticking_out[:10])


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_route_map_stacks_on_a_phone_and_spreads_on_a_desktop(page, site, width):
    visit(page, site, PAGES["route map"], width)
    rows = page.evaluate(ROW_CELLS)
    assert len(rows) == 6, "the Digital map has 6 cluster rows"
    bands = page.locator(".map-cell__band")
    heads = page.locator(".map-grid__head")
    assert bands.count() == 6 * 3 and heads.count() == 3
    for cells in rows:
        assert len(cells) == 3, cells
        xs = [cell["x"] for cell in cells]
        ys = [cell["y"] for cell in cells]
        if width == PHONE:
            assert len(set(xs)) == 1, f"cells stack: {cells}"
            assert ys == sorted(ys) and len(set(ys)) == 3, f"cells stack in band order: {cells}"
        else:
            assert len(set(ys)) == 1, f"cells sit side by side: {cells}"
            assert xs == sorted(xs) and len(set(xs)) == 3, f"cells in band order: {cells}"
            assert all(cell["width"] > 300 for cell in cells), cells

    if width == PHONE:
        # Without the column header each cell names its band.
        for index in range(bands.count()):
            band = bands.nth(index)
            assert band.is_visible() and band.bounding_box()["width"] > 100, band.inner_text()
        assert not heads.first.is_visible()
    else:
        for index in range(heads.count()):
            assert heads.nth(index).is_visible()
        labels = heads.first.locator(".map-grid__band")
        assert labels.count() == 3
        xs = [labels.nth(i).bounding_box()["x"] for i in range(3)]
        assert xs == sorted(xs) and len(set(xs)) == 3
        assert bands.first.bounding_box()["width"] <= 1, "band labels are for screen readers only"


# -- Accessibility ---------------------------------------------------------------------------

axe = Axe()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_violations(page, site, name, width):
    visit(page, site, PAGES[name], width)
    results = axe.run(page)
    assert results.violations_count == 0, f"{name} at {width}px\n{results.generate_report()}"


# -- Search suggestions (the ARIA combobox) ---------------------------------------------------


def test_search_suggestions_follow_the_combobox_pattern(page, site):
    visit(page, site, "/occupations/", DESKTOP)
    box = page.locator("#id_q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    box.focus()
    page.keyboard.type("data analy")
    page.wait_for_selector("[role=listbox] [role=option]")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.locator("[role=option]")
    assert options.first.inner_text().startswith("Data analyst")
    assert (
        page.locator(".suggest [role=status]").inner_text().endswith("use the arrow keys to choose")
    )
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert options.first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/occupations/OCC0118/")


def test_search_works_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site + "/occupations/")
    assert tab.locator("#id_q").get_attribute("role") is None
    tab.fill("#id_q", "sofware developer")
    tab.press("#id_q", "Enter")
    tab.wait_for_url("**/occupations/?q=sofware+developer*")
    assert "Showing results for “software developer”" in tab.content()
    assert tab.locator(".result__title").first.inner_text() == "Software developer"
    context.close()


# -- Print -----------------------------------------------------------------------------------


def test_route_map_prints_a_pathway_a_page_with_its_key(page, site):
    visit(page, site, PAGES["route map"], DESKTOP)
    legends = page.locator(".legend.print-only")
    pathways = page.locator(".pathway")
    assert pathways.count() == 3 and legends.count() == 3
    assert not legends.first.is_visible(), "the per-pathway key is for print only"

    page.emulate_media(media="print")
    for index in range(pathways.count()):
        pathway = pathways.nth(index)
        assert pathway.evaluate("el => getComputedStyle(el).breakBefore") == "page"
        legend = pathway.locator(".legend.print-only")
        assert legend.is_visible()
        assert legend.evaluate("el => getComputedStyle(el).display") != "none"
    # On paper the map keeps its three columns, under the column header.
    assert page.locator(".map-grid__head").first.is_visible()
    assert not page.locator(".filters").is_visible()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_progression_diagram_shows_every_level_without_scrolling(page, site, width):
    """OCC0795 has 20 links over levels 3 to 7: on a desktop they run left to right, every
    level in view; on a phone they run top to bottom, at a readable size, nothing cut off."""
    visit(page, site, "/occupations/OCC0795/", width)
    wide, narrow = page.locator(".diagram__wide svg"), page.locator(".diagram__narrow svg")
    shown, hidden = (narrow, wide) if width == PHONE else (wide, narrow)
    assert shown.is_visible() and not hidden.is_visible()
    box = shown.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["width"] == int(shown.get_attribute("width")), "not shrunk: labels stay readable"
    scroller = page.locator(".diagram__scroller")
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth"), "nothing is cut off"
    labels = shown.locator(".diagram__level")
    assert [labels.nth(i).text_content() for i in range(labels.count())] == [
        f"Level {level}" for level in range(3, 8)
    ]
    for index in range(labels.count()):
        label = labels.nth(index).bounding_box()
        assert label["x"] >= 0 and label["x"] + label["width"] <= width
    # Each box names its occupation in full, as a tooltip too.
    titles = shown.locator("a title")
    assert titles.count() == 20


# -- The route map's size ------------------------------------------------------------------

#: Issue 13's targets for the real Digital route: a map is a screen or two per pathway.
MAP_HEIGHT_LIMIT = {DESKTOP: 4000, PHONE: 9000}


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_route_map_is_compact_with_every_occupation_on_it(page, site, width):
    visit(page, site, PAGES["route map"], width)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= MAP_HEIGHT_LIMIT[width], f"the Digital map is {height}px tall at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    tiles = page.locator(".card")
    assert tiles.count() == 64
    assert all(tiles.nth(i).is_visible() for i in range(tiles.count()))
    # Tiles flow several to a row in their cell.
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.cards')].map(list =>"
        " [...list.children].map(tile => Math.round(tile.getBoundingClientRect().top)))"
    )
    assert any(len(row) > len(set(row)) for row in tops), "no two tiles share a row"
    # On a phone the filters are folded away and the first tile is on the first screen.
    assert not page.locator(".filters form").is_visible()
    assert page.locator(".card").first.bounding_box()["y"] < HEIGHT


def test_route_map_band_headings_stay_in_view(page, site):
    visit(page, site, PAGES["route map"], DESKTOP)
    pathway = page.locator(".pathway").last
    head = pathway.locator(".map-grid__head")
    last_tile = pathway.locator(".card").last
    last_tile.scroll_into_view_if_needed()
    box = head.bounding_box()
    assert 0 <= box["y"] < 5, f"the band heading scrolled away: {box}"
    assert head.is_visible()


def test_route_map_filters_fold_and_say_what_is_active(page, site):
    visit(page, site, PAGES["route map"] + "?status=1", DESKTOP)
    summary = page.locator(".filters summary")
    assert "Status: Approved occupation" in summary.inner_text()
    assert not page.locator(".filters form").is_visible()
    summary.click()
    assert page.locator(".filters form").is_visible()


# -- Focus on the map, with and without JavaScript -----------------------------------------

MARKS = """() => Object.fromEntries([...document.querySelectorAll('.card')].map(tile => [
  tile.dataset.code,
  tile.getAttribute('aria-current') === 'true' ? 'current'
    : tile.dataset.link || (tile.hasAttribute('data-dimmed') ? 'dimmed' : ''),
]))"""


def server_marks(browser, site, code):
    """The marks the server renders for ?focus=code, read with JavaScript off."""
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{site}/routes/digital/?focus={code}")
    # (With the page's JavaScript off, Playwright's own evaluate still runs.)
    marks = tab.evaluate(MARKS)
    assert tab.locator("#focus").is_visible()
    context.close()
    return marks


def wait_for(page, check, tries=80):
    # Polled: the site's Content-Security-Policy forbids wait_for_function's eval.
    for _ in range(tries):
        if check():
            return True
        page.wait_for_timeout(25)
    return check()


@pytest.mark.parametrize("code", ["OCC0118", "OCC0795", "OCC0116"])
def test_choosing_a_tile_focuses_it_in_place_as_the_server_would(browser, page, site, code):
    expected = server_marks(browser, site, code)
    assert expected[code] == "current"
    assert any(mark in ("to", "from", "both") for mark in expected.values())

    visit(page, site, PAGES["route map"], DESKTOP)
    tile = page.locator(f'.card[data-code="{code}"]')
    tile.locator(".card__focus").click()
    assert wait_for(page, lambda: page.evaluate(MARKS) == expected), "the marks as the server's"
    assert page.url == f"{site}/routes/digital/?focus={code}", "the URL follows, without reload"
    linked = [c for c, mark in expected.items() if mark in ("to", "from", "both")]
    assert page.locator(".map-arrows__line").count() == len(linked)
    assert page.locator("#focus").is_visible()

    # Escape clears the choice; Back brings it again, Forward clears it again.
    page.keyboard.press("Escape")
    assert wait_for(page, lambda: page.locator('.card[aria-current="true"]').count() == 0)
    assert page.url == f"{site}/routes/digital/"
    assert page.locator(".map-arrows__line").count() == 0
    page.go_back()
    assert wait_for(page, lambda: page.evaluate(MARKS) == expected)
    page.go_forward()
    assert wait_for(page, lambda: page.locator('.card[aria-current="true"]').count() == 0)


def test_a_tile_is_focused_by_keyboard(page, site):
    visit(page, site, PAGES["route map"], DESKTOP)
    link, _ = tab_until(page, ".card__focus", limit=120)
    code = link.evaluate("el => el.closest('.card').dataset.code")
    page.keyboard.press("Enter")
    chosen = page.locator(f'.card[data-code="{code}"]')
    assert wait_for(page, lambda: chosen.get_attribute("aria-current") == "true")
    assert page.evaluate("document.activeElement.matches('.card__focus')"), "focus stays put"
    assert "focus=" + code in page.url
    page.keyboard.press("Escape")
    assert wait_for(page, lambda: chosen.get_attribute("aria-current") is None)

"""The inspection board and the bureaus' completion on a 360 px phone, in a real browser.

The same Chromium and skip-or-fail rule as tests/test_browser.py. "Now" is
Wednesday 25 November 2026, 10:00 in Shanghai (tests/inspections_pages.py).
"""

import importlib
import types

import pytest
import time_machine
from django.apps import apps as django_apps

from schools.models import ObligationRule, Term
from schools.obligations import record_completion
from tests import test_browser
from tests.base import World
from tests.inspections_pages import MONDAY, NOW, TODAY
from tests.obligations_world import D, at

PHONE = test_browser.PHONE
chromium = test_browser.chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    traveller = time_machine.travel(NOW, tick=True)
    traveller.start()
    world = types.SimpleNamespace()
    World.build(world)
    if not ObligationRule.objects.filter(city=None, domain="inspections").exists():
        # A flush before this test removed what the data migration created.
        defaults = importlib.import_module("inspections.migrations.0002_default_checklists")
        defaults.create_defaults(django_apps, None)
    Term.objects.create(
        city=world.city_a, name="2026 秋季学期", start_date=D(2026, 9, 1), end_date=D(2027, 1, 22)
    )
    patrol = ObligationRule.objects.get(code="security-patrol", city=None)
    fire = ObligationRule.objects.get(code="fire-patrol", city=None)
    record_completion(patrol, world.s1, at(TODAY, 8), "browser:patrol")
    record_completion(fire, world.s1, at(MONDAY, 15), "browser:fire")
    yield world
    traveller.stop()


def test_the_safety_officer_reads_the_board_on_a_phone(live_server, world, chromium):
    s1 = world.s1.pk
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "officer1")
    # The home page's panel leads to the board.
    page.click(".inspections-panel a.btn-primary")
    page.wait_for_url(f"{live_server.url}/inspections/board/{s1}/")
    today = page.locator("#board-today")
    assert today.locator(".status-done").count() == 1
    # A patrol slot, the gate check and the fire patrol, each for the whole day.
    assert today.locator(".status-open").count() == 3
    assert today.locator(".status-upcoming").count() == 3
    # Tuesday's fire patrol was missed.
    week = page.locator("#board-week")
    assert week.locator(".status-missed").count() >= 1
    assert "11-24" in week.inner_text()
    assert page.locator("#board-next").locator(".window-status").count() >= 1
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/inspections-phone-board.png", full_page=True)
    context.close()


def test_the_city_drills_down_on_a_phone(live_server, world, chromium):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "city")
    page.goto(f"{live_server.url}/inspections/completion/")
    rows = page.locator(".completion-row")
    assert rows.count() == 2
    assert world.d3.name not in page.inner_text("main")
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/inspections-phone-completion-city.png", full_page=True)
    page.get_by_role("link", name=world.d1.name).click()
    page.wait_for_selector("#completion-district")
    assert page.locator(".completion-row").count() == 2
    assert "%" in page.locator(".completion-row", has_text=world.s1.name).inner_text()
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/inspections-phone-completion-district.png", full_page=True)
    page.get_by_role("link", name=world.s1.name).click()
    page.wait_for_url(f"{live_server.url}/inspections/board/{world.s1.pk}/")
    assert page.locator("#board-today .status-done").count() == 1
    assert test_browser.page_width(page) <= PHONE["width"]
    context.close()


@pytest.mark.parametrize(
    ("persona", "pages"),
    [
        (
            "principal1",
            [
                "/inspections/checkpoints/",
                "/inspections/checkpoints/add/",
                "/inspections/checklists/",
                "/inspections/exports/fire/school/{s1}/",
            ],
        ),
        (
            "city",
            [
                "/inspections/excuses/",
                "/inspections/rules/",
                "/inspections/exports/fire/district/{d1}/?layout=summary",
            ],
        ),
    ],
)
def test_every_inspection_page_fits_a_phone(live_server, world, chromium, persona, pages):
    ids = {"s1": world.s1.pk, "d1": world.d1.pk}
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, persona)
    for path in pages:
        url = path.format(**ids)
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        for details in page.locator("main details").all():
            details.evaluate("element => element.open = true")
        assert test_browser.page_width(page) <= PHONE["width"], (url, test_browser.page_width(page))
    context.close()

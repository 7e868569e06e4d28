"""On a 360 px phone and a desktop: a city's staff drill down city → district → school.

Coverage: the city's districts, a district's schools, a school's duty logs; the
dashboard: the districts, a district's schools, a school's file; the today
board; the guard rule behind the guards target, changed and set back. Each
step is a click on the page, its answer's status asserted and what it shows
read. The same Chromium, launch options and skip-or-fail rule as
tests/test_browser.py (its fixtures are reused).
"""

import importlib
import types

import pytest
from axes.utils import reset as axes_reset
from django.apps import apps as django_apps

from tests import test_browser
from tests.base import World
from tests.posts_world import build_posts

PHONE = test_browser.PHONE
DESKTOP = {"width": 1280, "height": 900}
chromium = test_browser.chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, settings):
    # As tests/test_browser.py's world (no manifest for {% static %}, no sign-ins
    # counted against 127.0.0.1), with the posts and the terms.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    axes_reset()
    world = types.SimpleNamespace()
    World.build(world)
    build_posts(world)
    return world


def click(page, selector):
    """Click a link and return the status of the page it opened."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value.status


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_city_staff_drill_down(live_server, world, chromium, viewport):
    context = chromium.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "city")
    response = page.goto(f"{live_server.url}/posts/coverage/?start=2026-11-02&end=2026-11-06")
    assert response.status == 200
    rows = page.locator(".coverage-table tbody tr")
    # The city: a row per district.
    assert rows.count() == 2
    table = page.inner_text(".coverage-table")
    assert world.d1.name in table and world.d2.name in table
    assert world.s1.name not in table
    assert test_browser.page_width(page) <= viewport["width"]
    # A district: its schools, with the way back.
    assert click(page, f".coverage-table a.drill-row:has-text('{world.d1.name}')") == 200
    table = page.inner_text(".coverage-table")
    assert world.s1.name in table and world.k1.name in table
    assert world.s2.name not in table
    assert page.inner_text(".drill-district") == world.d1.name
    assert test_browser.page_width(page) <= viewport["width"]
    # A school: its duty logs over the same days.
    assert click(page, f".coverage-table a:has-text('{world.s1.name}')") == 200
    assert "/posts/logs/" in page.url and f"school={world.s1.pk}" in page.url
    assert "date_after=2026-11-02" in page.url
    assert test_browser.page_width(page) <= viewport["width"]
    # Presets on the duty log list keep the school chosen.
    assert click(page, ".date-presets a[data-preset='this_term']") == 200
    assert "date_after=2026-09-01" in page.url and f"school={world.s1.pk}" in page.url
    # The dashboard: the city's districts, the four 100% first; a district's schools; a
    # school's file.
    response = page.goto(f"{live_server.url}/dashboards/")
    assert response.status == 200
    grid = page.inner_text(".dashboard-grid")
    assert world.d1.name in grid and world.d2.name in grid
    assert page.locator(".dashboard-grid thead .badge").count() == 4
    assert test_browser.page_width(page) <= viewport["width"]
    assert click(page, f".dashboard-grid a.grid-place:has-text('{world.d1.name}')") == 200
    grid = page.inner_text(".dashboard-grid")
    assert world.s1.name in grid and world.k1.name in grid and world.s2.name not in grid
    assert page.inner_text(".drill-district") == world.d1.name
    assert test_browser.page_width(page) <= viewport["width"]
    assert click(page, f".dashboard-grid a.grid-place:has-text('{world.s1.name}')") == 200
    assert f"/schools/{world.s1.pk}/file/" in page.url
    assert world.s1.name in page.inner_text("main")
    assert test_browser.page_width(page) <= viewport["width"]
    # The today board: a card per declared item, and it fits.
    response = page.goto(f"{live_server.url}/dashboards/today/")
    assert response.status == 200
    assert page.locator(".today-item").count() >= 3
    assert test_browser.page_width(page) <= viewport["width"]
    context.close()


@pytest.fixture
def guard_world(world):
    # The national guard rule posts 0009 seeds, which the flush of the transactional
    # database removed; before Playwright starts (see tests/test_browser.py's chromium).
    importlib.import_module("posts.migrations.0009_guard_rules").seed_national_rule(
        django_apps, None
    )
    return world


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_city_staff_change_the_guard_rule_from_the_dashboard(
    live_server, guard_world, chromium, viewport
):
    world = guard_world
    context = chromium.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    refusals = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refusals.append(message.text),
    )
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "city")

    def fits():
        return test_browser.page_width(page) <= viewport["width"]

    assert page.goto(f"{live_server.url}/dashboards/").status == 200
    # The rules behind the figures, under the grid: the city's guard rule.
    assert click(page, ".dashboard-rules a.indicator-rule") == 200
    assert world.city_a.name in page.inner_text("main") and fits()
    assert click(page, f"#city-{world.city_a.pk} h2 a") == 200
    assert "GB/T 29315-2022" in page.inner_text(".guard-rule-card")
    assert page.locator(".guard-rule-examples tbody tr").count() == 5 and fits()
    # City staff set the city's own rule, starting from the national figures.
    assert click(page, "a.guard-rule-edit") == 200
    assert page.input_value("input[name=minimum]") == "2" and fits()
    page.fill("input[name=name]", "滨州市护校安保标准")
    page.fill("input[name=minimum]", "3")
    assert click(page, "main form button[type=submit]") == 200
    assert "滨州市护校安保标准" in page.inner_text(".guard-rule-card")
    history = page.inner_text(".change-history")
    assert "city" in history and "新增" in history and fits()
    # Back to the national default: the button asks first.
    page.once("dialog", lambda dialog: dialog.accept())
    assert click(page, "main form[data-confirm] button[type=submit]") == 200
    assert "GB/T 29315-2022" in page.inner_text(".guard-rule-card")
    assert "删除" in page.inner_text(".change-history")
    assert refusals == []
    context.close()

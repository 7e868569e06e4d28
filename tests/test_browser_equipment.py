"""A principal on a 360 px phone opens the equipment board, sees a shortfall in red, and opens a
radio's page with its QR code.

The same Chromium, launch options and skip-or-fail rule as tests/test_browser.py
(its fixtures are reused).
"""

import types

import pytest
from axes.utils import reset as axes_reset

from equipment.models import EquipmentType, Location
from equipment.services import receive
from tests import test_browser
from tests.base import World
from tests.equipment_world import ensure_defaults

PHONE = test_browser.PHONE
chromium = test_browser.chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    axes_reset()
    world = types.SimpleNamespace()
    World.build(world)
    # A flush by an earlier transactional test removes what the data migration made.
    ensure_defaults()
    gatehouse = Location.objects.create(
        school=world.s1, kind="gatehouse", name="南门门卫室", gate=world.s1.gates.get()
    )
    types_ = {t.code: t for t in EquipmentType.objects.filter(city=None)}
    # Everything of the nine pieces but the steel fork.
    for code in ("rubber-baton", "shield", "pepper-spray", "stab-vest", "cut-gloves", "helmet"):
        receive(world.admin, gatehouse, types_[code])
    receive(world.admin, gatehouse, types_["torch"])
    world.radio = receive(world.admin, gatehouse, types_["radio"], asset_tag="DJJ-001").item
    return world


def test_principal_finds_the_missing_fork_and_a_radios_code(live_server, world, chromium):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    # The policy allows no inline script or style: Chromium reports each refusal.
    refusals = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refusals.append(message.text),
    )
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "principal1")

    # The phone's menu: the equipment link opens the school's board.
    page.click("button.navbar-toggler")
    page.wait_for_selector("#main-nav.show")
    with page.expect_navigation() as navigation:
        page.click("#main-nav >> text=装备器材")
    assert navigation.value.url.endswith(f"/equipment/schools/{world.s1.pk}/")
    main = page.inner_text("main")
    assert "器材看板" in main and "南门门卫室" in main
    short = page.locator("tr.kit-short")
    assert short.count() >= 1
    assert "钢叉" in short.first.inner_text() and "缺 1" in short.first.inner_text()
    # Red on the screen, not only a class name: Bootstrap's danger colour #dc3545.
    badge = short.first.locator(".badge")
    colour = badge.evaluate("badge => getComputedStyle(badge).backgroundColor")
    assert colour == "rgb(220, 53, 69)", colour
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/equipment-phone-board.png", full_page=True)

    # The radio's page, from the gatehouse's list of tracked pieces.
    page.locator("details summary").first.click()
    with page.expect_navigation() as navigation:
        page.click("text=DJJ-001")
    response = navigation.value
    assert response.status == 200
    assert page.locator("#item-qr svg").is_visible()
    # Large enough to scan from another phone (static/css/site.css, .item-qr).
    assert page.locator("#item-qr svg").bounding_box()["width"] >= 120
    history = page.inner_text("#item-history")
    assert "入库" in history or "Received" in history
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/equipment-phone-item.png", full_page=True)

    # A check from the piece's page: the form shows only what a check uses.
    with page.expect_navigation():
        page.click("a[href*='kind=checked']")
    assert page.locator("select[name=item]").is_visible()
    assert not page.locator("input[name=asset_tag]").is_visible()
    assert not page.locator("textarea[name=report]").is_visible()
    page.select_option("select[name=kind]", "lost")
    assert page.locator("textarea[name=report]").is_visible()
    page.select_option("select[name=kind]", "checked")
    assert test_browser.page_width(page) <= PHONE["width"]
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith(f"/equipment/items/{world.radio.pk}/")
    assert page.locator("#item-history li").count() == 2

    # The printable tag sheet of the school's pieces.
    response = page.goto(f"{live_server.url}/equipment/schools/{world.s1.pk}/qr-tags/")
    assert response.status == 200
    assert page.locator(".qr-card svg").count() == 1
    assert refusals == []
    context.close()

"""On a 360 px phone: the safety officer rectifies a hazard with an "after" photo, cannot
re-check it, and the principal re-checks it and strikes it off (销号).

The hazard was registered by the safety officer and assigned to them by the
principal (through inspections/hazards.py, as the pages do). Each user has a
browser context of their own. The same Chromium, launch options and
skip-or-fail rule as tests/test_browser.py (its fixtures are reused).
"""

import types
from concurrent.futures import ThreadPoolExecutor

import pytest
from axes.utils import reset as axes_reset

from inspections import hazards
from inspections.models import Checkpoint, Hazard
from tests import test_browser
from tests.base import World
from tests.photos import jpeg

PHONE = test_browser.PHONE
chromium = test_browser.chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    axes_reset()
    world = types.SimpleNamespace()
    World.build(world)
    gate = Checkpoint.objects.create(school=world.s1, name="南门", kind="gate")
    hazard = hazards.register(
        world.officer1,
        world.s1,
        description="南门灭火器压力不足",
        category="fire",
        level="general",
        checkpoint=gate,
    )
    hazard = hazards.confirm(world.principal1, hazard)
    # Another one, only reported: the district's overview counts it once the first is closed.
    world.other = hazards.register(
        world.principal1,
        world.s1,
        description="配电房门锁损坏",
        category="electrical",
        level="general",
        place="配电房",
    )
    world.hazard = hazards.start_rectifying(
        world.principal1, hazard, responsible_person=world.officer1, measures="更换灭火器"
    )
    world.path = f"/inspections/hazards/{world.hazard.pk}/"
    return world


def signed_in(chromium, live_server, username):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, username)
    return context, page


def test_rectified_by_one_person_and_struck_off_by_another(live_server, world, chromium):
    context, page = signed_in(chromium, live_server, "officer1")
    # The ledger lists the hazard; its page offers the officer the rectification.
    page.goto(f"{live_server.url}/inspections/hazards/?school={world.s1.pk}")
    assert "南门灭火器压力不足" in page.inner_text("main")
    assert test_browser.page_width(page) <= PHONE["width"]
    page.click(f"a[href='{world.path}']")
    page.wait_for_url(f"**{world.path}")
    assert page.locator(".hazard-state-rectifying").is_visible()
    page.click("#move-submit summary")
    page.fill("#move-submit textarea[name=rectification]", "已更换为新灭火器")
    page.locator("#move-submit input[name=photo]").set_input_files(
        {"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg(size=(120, 90))}
    )
    page.click("#move-submit button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".hazard-state-submitted").is_visible()
    assert page.locator(".hazard-after img.hazard-photo-after").count() == 1
    assert "已更换为新灭火器" in page.inner_text("main")
    # Whoever rectified it is not offered the re-check.
    assert page.locator("#move-verify").count() == 0
    assert page.locator("#move-close").count() == 0
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/hazard-phone-submitted.png", full_page=True)
    context.close()

    context, page = signed_in(chromium, live_server, "principal1")
    page.goto(live_server.url + world.path)
    page.click("#move-verify summary")
    page.fill("#move-verify textarea[name=note]", "复查合格")
    page.click("#move-verify button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".hazard-state-verified").is_visible()
    page.click("#move-close summary")
    page.click("#move-close button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".hazard-state-closed").is_visible()
    main = page.inner_text("main")
    assert "复查合格" in main
    assert page.locator(".hazard-verifier").inner_text().startswith(str(world.principal1))
    assert page.locator(".hazard-event").count() == 6  # reported … struck off
    assert page.locator("[id^=move-]").count() == 0  # nothing left to do
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/hazard-phone-closed.png", full_page=True)
    context.close()

    # The district's overview counts the open one at S1 and opens its ledger.
    context, page = signed_in(chromium, live_server, "district1")
    page.goto(f"{live_server.url}/inspections/hazards/overview/")
    row = page.locator(".overview-row")
    assert row.count() == 1 and world.s1.name in row.inner_text()
    page.click(".overview-row a[href$='overdue=on']")
    page.wait_for_load_state()
    assert page.locator(".hazard-row").count() == 0
    page.go_back()
    row.locator("a").first.click()
    page.wait_for_load_state()
    assert "配电房门锁损坏" in page.inner_text("main")
    assert "南门灭火器压力不足" not in page.inner_text("main")  # struck off: not open
    page.screenshot(path="/tmp/hazard-phone-ledger.png", full_page=True)
    assert test_browser.page_width(page) <= PHONE["width"]
    context.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(check_the_stored_hazard, world.hazard.pk, world).result()


def check_the_stored_hazard(pk, world):
    hazard = Hazard.objects.get(pk=pk)
    assert hazard.state == "closed"
    assert hazard.submitted_by_id == world.officer1.pk
    assert hazard.verified_by_id == world.principal1.pk
    assert hazard.photos.filter(kind="after").count() == 1

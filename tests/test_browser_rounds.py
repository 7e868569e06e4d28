"""A guard on a 360 px phone walks a five-checkpoint round by opening the checkpoints' QR codes.

What the phone's camera does with a printed code is open its address: here the
browser goes to each checkpoint's scan URL in turn. At the canteen one item
fails and is corrected on the spot, with a photo. The same Chromium, launch
options and skip-or-fail rule as tests/test_browser.py (its fixtures are
reused). The clock is Monday 23 November 2026, 08:00 in Shanghai.
"""

import types
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine

from inspections import qrcodes
from inspections.models import Answer, Round
from schools.models import ObligationCompletion, ObligationRule
from tests import test_browser
from tests.base import World
from tests.photos import jpeg
from tests.rounds_world import NOW, build_rounds

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
    traveller = time_machine.travel(NOW, tick=True)
    traveller.start()
    world = types.SimpleNamespace()
    World.build(world)
    # Only the test's patrol: the start page then offers one round to start.
    ObligationRule.objects.all().delete()
    build_rounds(world)
    # The addresses printed on the sheet, worked out before the browser starts.
    world.scan_paths = [
        f"/inspections/scan/{qrcodes.token_for(checkpoint)}/"
        for checkpoint in world.checkpoints["s1"]
    ]
    yield world
    traveller.stop()


def test_guard_walks_a_five_checkpoint_round(live_server, world, chromium):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    # The finish button asks first (static/js/site.js): the guard says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "guard1")

    # The first code: no round yet, so the page offers to start one.
    response = page.goto(live_server.url + world.scan_paths[0])
    assert response.status == 200
    assert "南门" in page.inner_text("main")
    page.click("form[action$='/start/'] button[name=rule]")
    page.wait_for_url("**/checkpoints/**")
    assert "门窗锁具完好" in page.inner_text("main")
    assert test_browser.page_width(page) <= PHONE["width"]
    page.click("text=全部正常")
    page.wait_for_load_state()
    assert page.locator(".alert-success").is_visible()

    for n, path in enumerate(world.scan_paths[1:], start=1):
        response = page.goto(live_server.url + path)
        assert response.status == 200
        assert page.url.endswith(f"/checkpoints/{world.checkpoints['s1'][n].pk}/")
        if n == 2:
            # The canteen's back door lock is broken; the guard fixes it and photographs it.
            item = page.locator("li.round-item").first
            item.locator("summary").click()
            item.locator("input[name=text]").fill("后门锁松动")
            item.locator("input[name=photo]").set_input_files(
                {"name": "lock.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
            )
            item.locator("input[name=corrected_on_spot]").check()
            item.locator("button[name=passed][value='0']").click()
            page.wait_for_load_state()
            assert "已当场整改" in page.inner_text("main")
            page.screenshot(path="/tmp/rounds-phone-checkpoint.png", full_page=True)
        page.click("text=全部正常")
        page.wait_for_load_state()
        assert test_browser.page_width(page) <= PHONE["width"]

    # The round's page: every checkpoint scanned; the round's own item, then finish.
    page.click("text=返回巡查")
    page.wait_for_load_state()
    assert page.locator("text=未扫码").count() == 0
    page.click("form[action$='/all-fine/'] button")
    page.wait_for_load_state()
    page.click("text=结束巡查")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "完整" in main and "不完整" not in main
    assert "后门锁松动" in main
    assert page.locator("img.round-photo").count() == 1
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/rounds-phone-record.png", full_page=True)
    context.close()

    # What was stored, read in a thread of its own: this one runs Playwright's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(check_the_stored_round).result()


def check_the_stored_round():
    round_ = Round.objects.get(inspector__username="guard1")
    assert round_.status == "complete"
    assert Answer.objects.filter(round=round_).count() == 11
    fixed = Answer.objects.get(round=round_, corrected_on_spot=True)
    assert fixed.checkpoint.name == "食堂" and fixed.photo_sha256
    assert ObligationCompletion.objects.filter(source=f"inspections.round:{round_.pk}").exists()

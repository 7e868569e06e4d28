"""A principal at the school gate logs this morning's post from a phone, in a real browser.

The same Chromium, launch options and skip-or-fail rule as tests/test_browser.py
(its fixtures are reused here). "Today" is Monday 23 November 2026, 09:00 in
Shanghai: time_machine patches the clock process-wide, so the live server's
thread sees the same morning as the data built here.
"""

import types

import pytest
import time_machine

from posts import dutylogs
from posts.models import PostPeriod
from posts.rosters import generate_shifts
from tests import test_browser
from tests.base import World
from tests.posts_world import NOW, TODAY, build_posts

PHONE = test_browser.PHONE
# The browser fixture of tests/test_browser.py; it asks for `world`, which here
# is the world with posts below.
chromium = test_browser.chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    # tick: the clock runs on from NOW, so sessions and timeouts behave.
    traveller = time_machine.travel(NOW, tick=True)
    traveller.start()
    world = types.SimpleNamespace()
    World.build(world)
    build_posts(world)
    generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)
    yield world
    traveller.stop()


@pytest.fixture
def ids(world):
    """S1's afternoon logged, and the ids the pages below need, before the browser starts."""
    log = dutylogs.submit_log(world.principal1, world.posts["s1"][2], TODAY)
    return {
        "s1": world.s1.pk,
        "log": log.pk,
        "morning": world.posts["s1"][1].pk,
        "member": world.members["s1"]["guard_a"].pk,
    }


def test_principal_logs_the_morning_post_in_one_tap(live_server, world, chromium):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "principal1")

    # The home page carries today's posts, each with its one-tap button.
    morning = page.locator(f"#period-{world.posts['s1'][1].pk}")
    button = morning.locator("button.quick-log")
    assert button.is_visible()
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/posts-phone-home-before.png", full_page=True)

    button.click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"
    # Logged, meeting the rules (4 of 5 qualified), and said so.
    assert page.locator("main .alert-success").is_visible()
    assert morning.locator(".badge.text-bg-success").is_visible()
    assert morning.locator("button.quick-log").count() == 0
    assert "5" in morning.inner_text()
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/posts-phone-home-after.png", full_page=True)

    # The today page shows the same, and only the afternoon left to log.
    test_browser.open_page(page, f"{live_server.url}/posts/today/")
    assert page.locator("button.quick-log").count() == 1
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/posts-phone-today.png", full_page=True)
    context.close()


@pytest.mark.parametrize(
    ("persona", "pages"),
    [
        (
            "principal1",
            [
                "/posts/today/",
                "/posts/roster/",
                "/posts/roster/pattern/",
                "/posts/members/add/",
                "/posts/coverage/",
            ],
        ),
        (
            "police1",
            [
                "/posts/police/",
                "/posts/police/countersign/",
                "/posts/logs/{log}/",
                "/posts/roster/print/?school={s1}",
                "/posts/members/verify/",
            ],
        ),
        (
            "district1",
            [
                "/posts/coverage/",
                "/posts/coverage/missed/",
                "/posts/logs/?understaffed=true",
                "/posts/members/",
                "/posts/members/{member}/",
                "/posts/logs/{log}/",
                "/posts/logs/{log}/edit/",
                "/posts/logs/new/{morning}/",
                "/posts/roster/?school={s1}",
            ],
        ),
    ],
)
def test_every_posts_page_fits_a_phone(live_server, ids, chromium, persona, pages):
    """The widest posts pages (week tables, forms, lists) never scroll sideways on a phone."""
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, persona)
    for path in pages:
        url = path.format(**ids)
        test_browser.open_page(page, f"{live_server.url}{url}")
        for details in page.locator("main details").all():
            details.evaluate("element => element.open = true")
        name = url.strip("/").replace("/", "-").split("?")[0] or "home"
        page.screenshot(path=f"/tmp/posts-phone-{persona}-{name}.png", full_page=True)
        assert test_browser.page_width(page) <= PHONE["width"], (url, test_browser.page_width(page))
    context.close()


def phone_page(chromium, live_server, persona):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, persona)
    return context, page


def test_police_return_a_log_with_a_reason_and_the_school_fixes_it(live_server, ids, chromium):
    detail = f"{live_server.url}/posts/logs/{ids['log']}/"
    context, page = phone_page(chromium, live_server, "police1")
    test_browser.open_page(page, detail)
    page.locator("details.return-form summary").click()
    page.fill("#return-reason", "下午岗民警未到岗，请核实后改正")
    with page.expect_response(lambda response: "/return/" in response.url) as posted:
        page.get_by_role("button", name="按此原因退回").click()
    page.wait_for_load_state()
    assert posted.value.status == 302
    assert page.url == detail
    assert "已将" in page.locator("main .alert-success").inner_text()
    assert "下午岗民警未到岗，请核实后改正" in page.locator(".log-returned").inner_text()
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/posts-phone-police-returned.png", full_page=True)
    context.close()

    context, page = phone_page(chromium, live_server, "principal1")
    test_browser.open_page(page, detail)
    returned = page.locator(".log-returned")
    assert "下午岗民警未到岗，请核实后改正" in returned.inner_text()
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/posts-phone-school-returned.png", full_page=True)
    with page.expect_response(lambda response: response.url.endswith("/edit/")) as opened:
        returned.get_by_role("link", name="修改记录").click()
    page.wait_for_load_state()
    assert opened.value.status == 200
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_load_state()
    assert page.url == detail
    assert page.locator(".log-returned").count() == 0
    assert test_browser.page_width(page) <= PHONE["width"]
    context.close()


def test_a_school_logs_a_missed_day_late_on_a_phone(live_server, ids, chromium):
    """Last Friday, three days back, is still the school's to log: the log says 补报."""
    context, page = phone_page(chromium, live_server, "principal1")
    form = f"{live_server.url}/posts/logs/new/{ids['morning']}/?date=2026-11-20"
    test_browser.open_page(page, form)
    assert page.locator("input[name=date]").input_value() == "2026-11-20"
    assert test_browser.page_width(page) <= PHONE["width"]
    with page.expect_response(lambda response: "/posts/logs/new/" in response.url) as posted:
        page.get_by_role("button", name="提交执勤记录").click()
    page.wait_for_load_state()
    assert posted.value.status == 302
    assert "/posts/logs/" in page.url and "/new/" not in page.url
    assert page.locator(".late-entry").inner_text() == "补报"
    assert "principal1" in page.locator("main").inner_text()
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/posts-phone-late-entry.png", full_page=True)
    context.close()

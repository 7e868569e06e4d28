"""A commander on a 360 px phone runs a drill; three class teachers report on their own phones.
City staff edit a drill requirement and override it for a school on a phone too.

Each teacher opens the shared link in a browser context of their own, with no
account. The third loses the connection as they send: the report stays on the
phone and goes out when the connection is back. The commander's screen shows
each class as it reports, the missing pupils at once, and the stopwatch's
result at the all clear. The same Chromium, launch options and skip-or-fail
rule as tests/test_browser.py (its fixtures are reused).
"""

import re
import types
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from drills.models import ClassHeadcount, Drill, DrillRequirement
from schools.models import ObligationOverride, ObligationRule
from tests import test_browser
from tests.base import World

PHONE = test_browser.PHONE
chromium = test_browser.chromium

pytestmark = pytest.mark.browser

# (class, teacher, pupils, arrived)
CLASSES = [
    ("一年级一班", "陈老师", 40, 40),
    ("二年级三班", "林老师", 38, 36),
    ("三年级二班", "周老师", 41, 40),
]


@pytest.fixture
def world(transactional_db, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    test_browser.axes_reset()
    world = types.SimpleNamespace()
    World.build(world)
    world.drill = Drill.objects.create(
        school=world.s1,
        drill_type="fire_evacuation",
        planned_at=timezone.now(),
        commander="王主任",
        scenario="实验楼二层起火",
    )
    return world


def signed_in_phone(chromium, live_server, username, path, refusals=None):
    """A phone-sized browser context signed in as `username`, on `path` (answered 200);
    what the Content-Security-Policy refuses on the way is added to `refusals`."""
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    if refusals is not None:
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and refusals.append(message.text)
            ),
        )
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, username)
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    return context, page


def in_a_thread(check, *args):
    """Run `check` in a thread of its own (this one runs Playwright's event loop), closing
    that thread's database connection after it, so the test database can be dropped."""

    def run():
        try:
            check(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def report(page, class_name, teacher, expected, arrived):
    page.fill("#hc-class", class_name)
    page.fill("#hc-teacher", teacher)
    page.fill("#hc-expected", str(expected))
    page.fill("#hc-arrived", str(arrived))
    page.click("#headcount-send")


def test_a_drill_run_from_a_phone_with_three_classes_reporting(live_server, world, chromium):
    commander, page = signed_in_phone(
        chromium, live_server, "principal1", f"/drills/{world.drill.pk}/"
    )
    page.click("#drill-start")
    page.wait_for_selector("#drill-share-url")
    assert "进行中" in page.inner_text("#drill-status")
    assert page.locator("#drill-share svg").count() == 1
    link = page.input_value("#drill-share-url")
    assert test_browser.page_width(page) <= PHONE["width"]

    teachers = []
    for n, (class_name, teacher, expected, arrived) in enumerate(CLASSES):
        context = chromium.new_context(locale="zh-CN", viewport=PHONE)
        phone = context.new_page()
        assert phone.goto(link).status == 200
        assert test_browser.page_width(phone) <= PHONE["width"]
        if n == 2:
            # The connection drops as the third teacher sends: the report is kept.
            context.set_offline(True)
            report(phone, class_name, teacher, expected, arrived)
            phone.wait_for_selector("#headcount-state.alert-warning")
            kept = phone.evaluate("Object.keys(localStorage).length")
            assert kept == 1
            # Back online: the kept report goes out by itself, once.
            context.set_offline(False)
        else:
            report(phone, class_name, teacher, expected, arrived)
        phone.wait_for_selector("#headcount-state.alert-success", timeout=15000)
        assert class_name in phone.inner_text("#headcount-state")
        assert phone.evaluate("Object.keys(localStorage).length") == 0
        teachers.append(context)

    # The commander's screen, polling, shows every class and the missing pupils at once.
    # (Playwright's wait_for_function evaluates a string, which the CSP refuses.)
    page.locator("#headcount-rows tr.headcount-row").nth(2).wait_for(timeout=15000)
    assert page.locator("#headcount-rows tr.headcount-row").count() == 3
    assert "3" in page.inner_text("#headcount-missing")
    assert page.locator("#headcount-rows tr.table-danger").count() == 2
    first_row = page.inner_text("#headcount-rows tr:first-child")
    assert "二年级三班" in first_row  # the class missing most pupils comes first
    # A second phone watching the drill (the deputy's) follows the all clear by itself.
    watcher = commander.new_page()
    watcher.goto(f"{live_server.url}/drills/{world.drill.pk}/")
    page.click("#drill-all-clear")
    page.wait_for_selector("#drill-result")
    shown = page.inner_text("#stopwatch")
    assert re.fullmatch(r"\d+:\d\d", shown), shown
    watcher.wait_for_selector("#drill-result", timeout=15000)
    assert watcher.inner_text("#stopwatch") == shown
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/drills-phone-live.png", full_page=True)
    # The record and evaluation, next, fits the phone too.
    page.click("text=记录与评估")
    page.wait_for_selector("#record-evaluation")
    assert "二年级三班" in page.inner_text("#record-headcounts")
    assert test_browser.page_width(page) <= PHONE["width"]
    for context in teachers:
        context.close()
    commander.close()

    # What was stored, read in a thread of its own: this one runs Playwright's event loop.
    in_a_thread(check_the_stored_drill, world.drill.pk, shown)


def check_the_stored_drill(pk, shown):
    drill = Drill.objects.get(pk=pk)
    assert drill.status == "held"
    minutes, seconds = shown.split(":")
    assert drill.evacuation_seconds == int(minutes) * 60 + int(seconds)
    rows = ClassHeadcount.objects.filter(drill=drill).order_by("class_name")
    assert [(r.class_name, r.missing) for r in rows] == [
        ("一年级一班", 0),
        ("三年级二班", 1),
        ("二年级三班", 2),
    ]
    assert all(r.report_id for r in rows)


@pytest.fixture
def requirement(world):
    rule = ObligationRule.objects.create(
        city=world.city_a,
        domain="drills",
        code="city-lockdown",
        name="滨州市防暴演练",
        basis="quarter",
        source="滨州市教育局 2026 年 3 号文",
    )
    return DrillRequirement.objects.create(obligation=rule, drill_types=["lockdown"])


def test_city_staff_edit_a_requirement_and_override_it_on_a_phone(
    live_server, world, requirement, chromium
):
    refusals = []
    context, page = signed_in_phone(
        chromium, live_server, "city", "/drills/requirements/", refusals
    )
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/drills-phone-requirements.png", full_page=True)
    page.click("#requirement-rows a:has-text('滨州市防暴演练')")
    page.wait_for_selector("#requirement-terms")
    assert test_browser.page_width(page) <= PHONE["width"]
    page.click("#requirement-edit")
    page.wait_for_selector("#requirement-form")
    assert test_browser.page_width(page) <= PHONE["width"]
    page.fill("#id_required_count", "3")
    page.check("input[name=drill_types][value=earthquake]")
    page.fill("#id_grace", "2")
    page.screenshot(path="/tmp/drills-phone-requirement-form.png", full_page=True)
    page.click("#requirement-form button[type=submit]")
    page.wait_for_selector("#requirement-terms")
    assert "3 次演练" in page.inner_text("#requirement-terms")
    assert "地震" in page.inner_text("#requirement-terms")
    assert "已保存" in page.inner_text("main .alert-success")
    assert test_browser.page_width(page) <= PHONE["width"]
    page.screenshot(path="/tmp/drills-phone-requirement.png", full_page=True)

    # An override for one school, chosen by typing part of its name.
    page.click("#override-add")
    page.wait_for_selector("#requirement-form select[name=school]")
    select = page.locator("select[name=school]")
    assert select.locator("option").count() == 1  # only the blank choice until searched
    page.fill("#requirement-form input[type=search]", "实验学")
    select.locator("option", has_text="滨州实验学校").wait_for(state="attached")
    select.select_option(str(world.s1.pk))
    page.select_option("#id_applies", "false")
    page.fill("#id_reason", "校舍加固施工")
    assert test_browser.page_width(page) <= PHONE["width"]
    page.click("#requirement-form button[type=submit]")
    page.wait_for_selector("#override-rows .override-row")
    assert "滨州实验学校" in page.inner_text("#override-rows")
    assert "校舍加固施工" in page.inner_text("#override-rows")
    assert test_browser.page_width(page) <= PHONE["width"]
    # No inline style or script: the policy refused nothing on the way.
    assert refusals == []
    context.close()

    in_a_thread(check_the_stored_requirement, requirement.pk, world.s1.pk)


def check_the_stored_requirement(pk, school_pk):
    requirement = DrillRequirement.objects.select_related("obligation").get(pk=pk)
    assert requirement.obligation.required_count == 3
    assert requirement.obligation.grace.days == 2
    assert requirement.drill_types == ["earthquake", "lockdown"]  # in the choices' order
    override = ObligationOverride.objects.get(rule=requirement.obligation)
    assert (override.school_id, override.applies) == (school_pk, False)

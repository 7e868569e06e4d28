"""Coordination in a real browser on a phone: choosing the schools a meeting concerns by
typing, and the meeting cadence.

The multiple select of the meeting form holds no school until the search box asks
/schools/search/ (static/js/search-select.js under the site's CSP); what is chosen stays
chosen while later searches list other schools, and a chosen school's button takes it off.
"""

import datetime

import pytest

from coordination.models import Meeting, MeetingCadence
from tests import test_browser
from tests.coordination_world import restore_coordination_defaults

chromium = test_browser.chromium
world = test_browser.world

pytestmark = pytest.mark.browser


def test_district_staff_choose_two_schools_and_take_one_off(live_server, world, chromium):
    ids = {"d1": world.d1.pk, "s1": world.s1.pk, "k1": world.k1.pk}
    context = chromium.new_context(locale="zh-CN", viewport=test_browser.PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "district1")
    response = page.goto(f"{live_server.url}/coordination/meetings/new/")
    assert response.status == 200
    page.select_option("select[name=level]", "district")
    page.select_option("select[name=district]", str(ids["d1"]))
    page.fill("input[name=title]", "滨城区校园安全联席会议")
    schools = page.locator("select[name=schools]")
    # No school listed until something is typed.
    assert schools.locator("option").count() == 0
    box = page.locator("#id_schools").locator("xpath=preceding-sibling::input[1]")
    chosen = page.locator("ul.search-chosen button")
    for text, name in (("实验学", "滨州实验学校"), ("幼儿园", "滨城区实验幼儿园")):
        box.fill(text)
        option = schools.locator("option", has_text=name)
        option.wait_for(state="attached")
        option.click()
        chosen.filter(has_text=name).wait_for()
    # Both stay chosen while another search lists nothing from another district.
    box.fill("沾化")
    schools.locator("option[disabled]").wait_for(state="attached")
    assert sorted(schools.locator("option:checked").all_inner_texts()) == sorted(
        ["滨州实验学校", "滨城区实验幼儿园"]
    )
    chosen.filter(has_text="滨城区实验幼儿园").click()
    assert chosen.all_inner_texts() == ["滨州实验学校 ×"]
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/coordination/meetings/*/")
    assert "滨州实验学校" in page.inner_text("main")
    assert "滨城区实验幼儿园" not in page.inner_text("main")
    # Nothing the page lays out is wider than the phone.
    assert test_browser.page_width(page) <= test_browser.PHONE["width"]
    context.close()


@pytest.fixture
def cadence(world):
    """City A's cadence, the city quarterly and its districts monthly, from January; D1 met
    in January only. Built before the browser starts (tests/test_browser.py), with the
    defaults an earlier test's flush removed."""
    restore_coordination_defaults()
    this_year = datetime.date.today().year
    for level, basis in (("city", "quarter"), ("district", "month")):
        MeetingCadence.objects.create(
            city=world.city_a,
            level=level,
            basis=basis,
            starts_on=datetime.date(this_year, 1, 1),
            source="滨州市校园安全联席会议制度",
        )
    Meeting.objects.create(
        level="district",
        district=world.d1,
        title="一月例会",
        held_on=datetime.date(this_year, 1, 9),
    )
    return {"d1": world.d1.pk}


def test_the_cadence_fits_a_phone(live_server, world, cadence, chromium):
    context = chromium.new_context(locale="zh-CN", viewport=test_browser.PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "city")
    response = page.goto(f"{live_server.url}/coordination/meetings/cadence/")
    assert response.status == 200
    assert "滨州市校园安全联席会议制度" in page.inner_text("main")
    assert page.locator("#cadence-districts .cadence-row").count() == 2
    assert test_browser.page_width(page) <= test_browser.PHONE["width"]
    page.click(f"#cadence-district-{cadence['d1']} a")
    page.wait_for_url(f"{live_server.url}/coordination/meetings/cadence/districts/**")
    assert "滨州实验学校" in page.inner_text("#cadence-schools")
    assert test_browser.page_width(page) <= test_browser.PHONE["width"]
    context.close()

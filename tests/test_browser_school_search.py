"""Choosing a school on a bureau list by typing part of its name, in a real browser.

The select of the duty-log filter holds no school until the search box asks
/schools/search/ (static/js/search-select.js, loaded under the site's CSP).
"""

import pytest

from tests import test_browser
from tests.test_browser_posts import ids, world  # noqa: F401 (fixtures)

chromium = test_browser.chromium

pytestmark = pytest.mark.browser


def test_district_staff_find_a_school_by_typing(live_server, world, ids, chromium):  # noqa: F811
    context = chromium.new_context(locale="zh-CN", viewport=test_browser.PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "district1")
    page.goto(f"{live_server.url}/posts/logs/")
    page.click("details.card > summary")  # the folded filters
    select = page.locator("select[name=school]")
    # Only the blank choice until something is typed.
    assert select.locator("option").count() == 1
    box = page.locator("input[type=search]")
    box.fill("实验学")
    # (The site's CSP refuses wait_for_function's eval: wait on locators.)
    select.locator("option", has_text="滨州实验学校").wait_for(state="attached")
    assert select.locator("option").all_inner_texts()[1:] == ["滨州实验学校"]
    select.select_option(str(ids["s1"]))
    page.click("form[method=get] button[type=submit]")
    page.wait_for_load_state()
    assert f"school={ids['s1']}" in page.url
    # The chosen school stays shown; S1's afternoon log is listed.
    assert select.locator("option:checked").inner_text() == "滨州实验学校"
    assert page.locator("tbody tr").count() == 1
    # Another district's school is not offered, however it is named.
    box.fill("沾化")
    select.locator("option[disabled]").wait_for(state="attached")
    assert select.locator("option").all_inner_texts()[1:] == ["没有找到"]
    context.close()

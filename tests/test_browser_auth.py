"""The account, password and lockout pages fit a 360 px phone, in a real browser."""

import pytest
from django.conf import settings
from knox.models import AuthToken

from tests.base import PASSWORD
from tests.test_browser import PHONE, chromium, page_width, sign_in, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def assert_fits(page, name):
    page.screenshot(path=f"/tmp/pages-auth-phone-{name}.png", full_page=True)
    width = page_width(page)
    assert width <= PHONE["width"], (name, width)


@pytest.fixture
def token(world):  # noqa: F811
    # Made before Playwright starts its event loop (see tests/test_browser.py).
    return AuthToken.objects.create(user=world.users["principal1"])


def test_account_and_password_pages_fit_a_phone(live_server, world, token, chromium):  # noqa: F811
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert_fits(page, "login")
    sign_in(page, live_server, "principal1")
    for name, path in {"account": "/account/", "password": "/account/password/"}.items():
        page.goto(f"{live_server.url}{path}")
        assert_fits(page, name)
    context.close()

    context = chromium.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/password-reset/")
    page.fill("input[name=email]", "nobody@school.example")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/password-reset/sent/")
    assert_fits(page, "reset-sent")
    page.goto(f"{live_server.url}/password-reset/MQ/set-password/")
    assert_fits(page, "reset-invalid-link")
    context.close()


def test_the_lockout_page_fits_a_phone(live_server, world, chromium):  # noqa: F811
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "principal1")
        page.fill("input[name=password]", "wrong-" + PASSWORD)
        page.click("form[action='/login/'] button[type=submit]")
    assert page.get_by_role("heading", name="登录已锁定").is_visible()
    assert_fits(page, "locked-out")
    context.close()

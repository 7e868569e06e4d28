"""A principal signs in on a phone, in Chinese and in English, in a real browser.

Drives Debian's headless Chromium (apt-get install chromium) through
Playwright against pytest-django's live server. Playwright never downloads a
browser here: the bureau intranets this runs on reach no CDN, and neither
does CI.
"""

import os
import shutil
import types

import pytest
from axes.utils import reset as axes_reset
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.base import PASSWORD, World

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium(world):
    # Depends on `world` so that the data is built before Playwright starts its
    # event loop in this thread, and flushed after it has stopped: Django
    # refuses database calls from a thread running an event loop
    # (SynchronousOnlyOperation), and this order keeps every one outside it,
    # so DJANGO_ALLOW_ASYNC_UNSAFE is not needed. The live server answers
    # requests in its own thread, which runs no loop.
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        # In CI a skipped browser test would hide exactly what CI is for.
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def world(transactional_db, settings):
    # The live server renders real pages without collectstatic having run, so
    # {% static %} must not look names up in WhiteNoise's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Every browser test signs in from 127.0.0.1: start with no failed sign-ins
    # counted against it (the lockout test makes five on purpose).
    axes_reset()
    world = types.SimpleNamespace()
    World.build(world)
    return world


def page_width(page):
    """The page's layout width once it has loaded.

    Measured straight after a click, a page still loading may not have its
    stylesheet yet, and unstyled it is wider than a phone (CI saw 465 px).
    """
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth")


def sign_in(page, live_server, username):
    """Fill in the sign-in form the page shows and land on the home page."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    try:
        page.wait_for_url(f"{live_server.url}/")
    except PlaywrightTimeout:
        # Say what the page said instead (a form error, a lockout), not only that it waited.
        pytest.fail(
            f"{username} did not sign in; the page at {page.url} says: {page.inner_text('main')}"
        )


@pytest.mark.parametrize(
    ("locale", "greeting", "log_out"),
    [("zh-CN", "您好", "退出登录"), ("en-US", "Hello", "Log out")],
)
def test_principal_signs_in_on_a_phone(live_server, world, chromium, locale, greeting, log_out):
    context = chromium.new_context(locale=locale, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/")

    # Anonymous: sent to the sign-in page, which keeps where they were going.
    assert "/login/" in page.url
    sign_in(page, live_server, "principal1")

    main = page.locator("main")
    assert greeting in main.inner_text()
    assert world.s1.name in main.inner_text()

    # On a phone the navigation folds behind the toggler and nothing scrolls sideways.
    logout = page.get_by_role("button", name=log_out)
    assert page.locator(".navbar-toggler").is_visible()
    assert not logout.is_visible()
    assert page_width(page) <= PHONE["width"]
    page.screenshot(path=f"/tmp/pages-web-home-{locale}.png", full_page=True)

    page.click(".navbar-toggler")
    logout.wait_for(state="visible")
    # Bootstrap marks the menu .show once its opening animation has finished.
    page.wait_for_selector("#main-nav.show")
    page.screenshot(path=f"/tmp/pages-web-menu-{locale}.png")

    # The school's own page is just as usable on a phone.
    page.click(f"main a:has-text('{world.s1.name}')")
    page.wait_for_url(f"{live_server.url}{world.s1.get_absolute_url()}")
    assert page_width(page) <= PHONE["width"]
    page.screenshot(path=f"/tmp/pages-web-school-{locale}.png", full_page=True)

    logout_button = page.get_by_role("button", name=log_out)
    page.click(".navbar-toggler")
    # A click while the menu is still opening can land on nothing: wait until
    # Bootstrap has finished opening it, as above.
    page.wait_for_selector("#main-nav.show")
    logout_button.click()
    page.wait_for_url(f"{live_server.url}/login/")
    context.close()


def open_page(page, url):
    """Go to `url` and check that the page itself answered: 200, not a redirect to sign in.

    A 403, a 404 or the login page fits a phone as well as the page would; a
    width test that did not look at the status would pass on any of them.
    """
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert "/login/" not in page.url, (url, page.url)
    return response


def test_every_page_fits_a_phone(live_server, world, chromium):
    """District staff see the widest pages (tables, filters, add forms); none scrolls sideways."""
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, live_server, "district1")
    pages = {
        "home": "/",
        "list": "/schools/?school_type=primary",
        "detail": world.s1.get_absolute_url(),
        "edit": f"{world.s1.get_absolute_url()}edit/",
        "calendar": "/schools/calendar/",
    }
    for name, path in pages.items():
        open_page(page, f"{live_server.url}{path}")
        # Open every folded form so that its fields are measured too.
        for details in page.locator("main details").all():
            details.evaluate("element => element.open = true")
        page.screenshot(path=f"/tmp/pages-web-phone-{name}.png", full_page=True)
        width = page_width(page)
        assert width <= PHONE["width"], (name, width)
    context.close()

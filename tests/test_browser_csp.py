"""The pages work under the Content-Security-Policy, in a real browser.

The policy allows no inline script or style, so every behaviour must come from
static files: Bootstrap's JS, static/js/site.js, the admin's own scripts and
Swagger UI's start-up script. Chromium reports each refusal on the console.
"""

import pytest
from django.contrib.auth import get_user_model

from tests import test_browser, test_browser_posts
from tests.base import PASSWORD

# The posts world (coverage bars) and the browser of the other browser tests.
world = test_browser_posts.world
ids = test_browser_posts.ids
chromium = test_browser.chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def superuser(world):
    return get_user_model().objects.create_superuser("root", "root@example.edu.cn", PASSWORD)


def test_pages_admin_and_api_docs_run_under_the_policy(live_server, ids, superuser, chromium):
    context = chromium.new_context(locale="en-US", viewport=test_browser.PHONE)
    page = context.new_page()
    refusals = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refusals.append(message.text),
    )
    page.goto(f"{live_server.url}/login/")
    test_browser.sign_in(page, live_server, "root")

    # Bootstrap's collapse opens the folded navigation.
    page.click(".navbar-toggler")
    page.wait_for_selector("#main-nav.show")

    # site.js: a delete button asks first; dismissed, nothing is deleted.
    page.goto(f"{live_server.url}/schools/{ids['s1']}/")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator("form[data-confirm] button[type=submit]").first.click()
    assert questions and questions[0].startswith("Delete")
    assert page.url == f"{live_server.url}/schools/{ids['s1']}/"

    # site.js: coverage bars take their width from aria-valuenow.
    page.goto(f"{live_server.url}/posts/coverage/")
    bars = page.locator(".progress[aria-valuenow] > .progress-bar")
    assert bars.count()
    for bar in bars.all():
        assert bar.evaluate("element => element.style.width").endswith("%")

    # The admin, with its nonce'd style, and its change list's actions.
    page.goto(f"{live_server.url}/admin/reminders/delivery/")
    page.wait_for_selector("#changelist")

    # Swagger UI starts from its own script file and renders the schema.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)

    context.close()
    assert refusals == []

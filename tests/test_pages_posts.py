"""The posts pages join the same permission checks as every other page.

Anonymous visitors are sent to sign in; an object outside a persona's scope is
a 404; an action its role does not allow is a 403; bad input is a form error
with nothing saved; list pages make a fixed number of queries however many rows.
Today is Monday 23 November 2026, 09:00 in Shanghai (tests/posts_world.py),
and this week's roster is generated from the weekly pattern.
"""

from django.urls import reverse

from posts.models import (
    DutyLog,
    RosterRule,
    Shift,
)
from tests.posts_pages import (
    PostsPageTestCase,
)


class AnonymousTests(PostsPageTestCase):
    def test_every_page_sends_anonymous_visitors_to_sign_in(self):
        log = self.log_today()
        shift = Shift.objects.filter(school=self.s1).first()
        rule = RosterRule.objects.filter(post_period__post__school=self.s1).first()
        member = self.member("s1", "volunteer")
        assignment = member.assignments.get()
        morning = self.morning("s1")
        pages = [
            ("get", reverse("posts:today")),
            ("get", reverse("posts:police")),
            ("get", reverse("posts:logs")),
            ("post", reverse("posts:log-quick", args=[morning.pk])),
            ("get", reverse("posts:log-create", args=[morning.pk])),
            ("post", reverse("posts:log-create", args=[morning.pk])),
            ("get", reverse("posts:log-detail", args=[log.pk])),
            ("get", reverse("posts:log-edit", args=[log.pk])),
            ("post", reverse("posts:log-edit", args=[log.pk])),
            ("post", reverse("posts:log-countersign", args=[log.pk])),
            ("get", reverse("posts:roster")),
            ("get", reverse("posts:roster-print")),
            ("post", reverse("posts:shift-add")),
            ("post", reverse("posts:shift-replace")),
            ("post", reverse("posts:shift-swap")),
            ("post", reverse("posts:shift-remove", args=[shift.pk])),
            ("post", reverse("posts:roster-generate")),
            ("get", reverse("posts:pattern")),
            ("post", reverse("posts:rule-add")),
            ("post", reverse("posts:rule-delete", args=[rule.pk])),
            ("get", reverse("posts:members")),
            ("get", reverse("posts:member-add")),
            ("post", reverse("posts:member-add")),
            ("get", reverse("posts:verify")),
            ("get", reverse("posts:member-detail", args=[member.pk])),
            ("get", reverse("posts:member-edit", args=[member.pk])),
            ("post", reverse("posts:member-verify", args=[member.pk])),
            ("post", reverse("posts:assignment-add", args=[member.pk])),
            ("post", reverse("posts:assignment-end", args=[assignment.pk])),
            ("get", reverse("posts:coverage")),
            ("get", reverse("posts:missed")),
        ]
        for method, url in pages:
            with self.subTest(url=url, method=method):
                response = getattr(self.client, method)(url)
                self.assertRedirects(
                    response, f"{reverse('login')}?next={url}", fetch_redirect_response=False
                )
        self.assertEqual(DutyLog.objects.count(), 1)
        self.assertFalse(Shift.objects.get(pk=shift.pk).is_cancelled)
        self.assertTrue(RosterRule.objects.filter(pk=rule.pk).exists())


class NavigationTests(PostsPageTestCase):
    def test_each_role_sees_the_links_to_its_pages(self):
        expected = {
            "principal1": {"today", "roster", "members", "coverage"},
            "officer1": {"today", "roster", "members"},
            "police1": {"police", "roster", "members", "verify"},
            "district1": {"roster", "members", "verify", "coverage"},
            "city": {"roster", "members", "coverage"},
            "admin": {"roster", "members", "verify", "coverage"},
            "outsider": set(),
        }
        names = ("today", "police", "roster", "members", "verify", "coverage")
        for persona, shown in expected.items():
            with self.subTest(persona=persona):
                self.login(persona)
                html = self.client.get(reverse("schools:list")).content.decode()
                nav = html[html.index("<nav") : html.index("</nav>")]
                for name in names:
                    self.assertEqual(f'href="{reverse(f"posts:{name}")}"' in nav, name in shown)

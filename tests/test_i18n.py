"""The Chinese catalogue is complete, and pages speak the browser's language.

English is the source language; zh-hans is what bureaus, schools and police
stations read. The catalogue is parsed here with a few lines instead of a
dependency: entries are separated by blank lines, strings are C-quoted.
"""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse

from tests.base import WorldTestCase

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


def parse_po(text):
    """[(flags, {keyword: string})] for each live entry; obsolete (#~) ones are left out."""
    entries = []
    for block in text.strip().split("\n\n"):
        flags, fields, keyword = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := KEYWORD.match(line):
                keyword = match.group(1)
                fields[keyword] = ast.literal_eval(match.group(2))
            elif line.startswith('"'):
                fields[keyword] += ast.literal_eval(line)
        if fields:
            entries.append((flags, fields))
    return entries


class CatalogueTests(SimpleTestCase):
    def setUp(self):
        self.entries = parse_po(CATALOGUE.read_text(encoding="utf-8"))

    def test_every_message_is_translated(self):
        messages = [fields for _flags, fields in self.entries if fields["msgid"]]
        self.assertGreater(len(messages), 100)
        untranslated = [
            fields["msgid"]
            for fields in messages
            if not all(value for key, value in fields.items() if key.startswith("msgstr"))
        ]
        self.assertEqual(untranslated, [])

    def test_nothing_is_fuzzy(self):
        # Including the header: gettext ignores a fuzzy entry at run time.
        fuzzy = [fields["msgid"] for flags, fields in self.entries if "fuzzy" in flags]
        self.assertEqual(fuzzy, [])

    def test_placeholders_survive_translation(self):
        placeholder = re.compile(r"%\(\w+\)s")
        for _flags, fields in self.entries:
            if not fields["msgid"]:
                continue
            expected = set(placeholder.findall(fields["msgid"]))
            for key, value in fields.items():
                if key.startswith("msgstr"):
                    with self.subTest(msgid=fields["msgid"]):
                        self.assertEqual(set(placeholder.findall(value)), expected)

    def test_compiled_catalogue_matches_the_source(self):
        # The .mo is committed because a fresh machine may have no gettext to
        # compile it; it must say what the .po says.
        with CATALOGUE.with_suffix(".mo").open("rb") as compiled:
            translations = gettext.GNUTranslations(compiled)
        for _flags, fields in self.entries:
            if not fields["msgid"]:
                continue
            with self.subTest(msgid=fields["msgid"]):
                if "msgctxt" in fields:
                    translated = translations.pgettext(fields["msgctxt"], fields["msgid"])
                    self.assertEqual(translated, fields["msgstr"])
                elif "msgid_plural" in fields:
                    translated = translations.ngettext(fields["msgid"], fields["msgid_plural"], 1)
                    self.assertEqual(translated, fields["msgstr[0]"])
                else:
                    self.assertEqual(translations.gettext(fields["msgid"]), fields["msgstr"])


class LanguageTests(WorldTestCase):
    def home(self, persona, accept_language):
        self.client.force_login(self.users[persona])
        return self.client.get(reverse("home"), headers={"accept-language": accept_language})

    def test_home_page_in_chinese(self):
        response = self.home("principal1", "zh-hans")
        self.assertContains(response, '<html lang="zh-hans">')
        for text in ("您好", "校长", "学校标识码", "退出登录", "校历"):
            self.assertContains(response, text)
        self.assertNotContains(response, "Log out")

    def test_home_page_in_english(self):
        response = self.home("principal1", "en")
        self.assertContains(response, '<html lang="en">')
        for text in ("Hello", "Principal", "School code", "Log out", "School calendar"):
            self.assertContains(response, text)
        self.assertNotContains(response, "退出登录")

    def test_a_chinese_browser_gets_simplified_chinese(self):
        # Browsers in mainland China send zh-CN; Django falls back to zh-hans.
        response = self.home("city", "zh-CN,zh;q=0.9,en;q=0.8")
        self.assertContains(response, "市教育局工作人员")
        self.assertContains(response, "未建校园警务室的学校")

    def test_the_language_switch_overrides_the_browser(self):
        self.client.force_login(self.users["principal1"])
        response = self.client.post(
            reverse("set_language"), {"language": "en", "next": reverse("home")}
        )
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        response = self.client.get(reverse("home"), headers={"accept-language": "zh-hans"})
        self.assertContains(response, "Log out")

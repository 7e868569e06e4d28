"""Uploaded photos are served to the users who see their object, and to no one else.

Tests run with DEBUG off, as production does: nothing but the media view serves
MEDIA_ROOT. School and bureau staff get the original with its location;
police liaisons get a copy without it.
"""

import io
import os
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings
from PIL import Image

from posts import dutylogs
from posts.models import DutyLog
from tests.base import PASSWORD
from tests.photos import GPS_BLOCK, TAKEN_AT, gps_of, jpeg, taken_at_of, temporary_media, upload
from tests.posts_world import TODAY, PostsWorldTestCase

ORIGINAL = ("admin", "city", "district1", "principal1", "officer1")
WITHOUT_LOCATION = ("police1",)
OUT_OF_SCOPE = ("district2", "principal2", "police2", "outsider")


class MediaTestCase(PostsWorldTestCase):
    def setUp(self):
        self.enterContext(temporary_media(self))
        self.original = jpeg()
        self.log = dutylogs.submit_log(self.users["principal1"], self.morning("s1"), TODAY)
        self.log.photo.save("gate.jpg", ContentFile(self.original))
        self.member = self.member("s1", "guard_a")
        self.member.photo.save("guard.jpg", ContentFile(self.original))

    def get(self, persona, url):
        if persona:
            self.client.force_login(self.users[persona])
        else:
            self.client.logout()
        return self.client.get(url)


class WhoGetsWhatTests(MediaTestCase):
    def test_debug_is_off(self):
        self.assertFalse(settings.DEBUG)

    def test_school_and_bureau_staff_get_the_original_with_its_location(self):
        for field in (self.log.photo, self.member.photo):
            for persona in ORIGINAL:
                with self.subTest(persona=persona, file=field.name):
                    response = self.get(persona, field.url)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(response["Content-Type"], "image/jpeg")
                    self.assertIn("private", response["Cache-Control"])
                    self.assertEqual(b"".join(response.streaming_content), self.original)

    def test_police_liaisons_get_the_photo_without_its_location(self):
        for field in (self.log.photo, self.member.photo):
            with self.subTest(file=field.name):
                response = self.get("police1", field.url)
                self.assertEqual(response.status_code, 200)
                served = b"".join(response.streaming_content)
                self.assertNotEqual(served, self.original)
                self.assertEqual(gps_of(self.original)[2], GPS_BLOCK[2])
                self.assertEqual(gps_of(served), {})
                # The capture time stays, and the pixels were not re-encoded.
                self.assertEqual(taken_at_of(served), TAKEN_AT)
                with (
                    Image.open(io.BytesIO(served)) as a,
                    Image.open(io.BytesIO(self.original)) as b,
                ):
                    self.assertEqual(a.tobytes(), b.tobytes())
        # The original on disk keeps its evidence.
        self.assertEqual(self.log.photo.read(), self.original)

    def test_out_of_scope_users_get_a_404(self):
        for field in (self.log.photo, self.member.photo):
            for persona in OUT_OF_SCOPE:
                with self.subTest(persona=persona, file=field.name):
                    self.assertEqual(self.get(persona, field.url).status_code, 404)

    def test_anonymous_visitors_are_refused(self):
        self.assertIn(self.get(None, self.log.photo.url).status_code, (401, 403))

    def test_unknown_and_unprotected_paths_are_a_404_even_to_admins(self):
        self.get("police1", self.log.photo.url)  # makes the copy without location
        stripped = f"gps-stripped/{self.log.photo.name}"
        self.assertTrue(Path(settings.MEDIA_ROOT, stripped).exists())
        Path(settings.MEDIA_ROOT, "notes.txt").write_text("private")
        for path in (
            "duty-logs/2026/11/missing.jpg",
            stripped,
            "notes.txt",
            "duty-logs/../notes.txt",
            "",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.get("admin", f"/media/{path}").status_code, 404)

    def test_a_photo_whose_file_is_gone_is_a_404(self):
        os.remove(self.log.photo.path)
        self.assertEqual(self.get("principal1", self.log.photo.url).status_code, 404)
        self.assertEqual(self.get("police1", self.log.photo.url).status_code, 404)

    def test_a_file_that_cannot_be_read_is_not_served_without_location_checks(self):
        Path(self.member.photo.path).write_bytes(b"\x89PNG\r\n\x1a\n broken")
        self.assertEqual(self.get("police1", self.member.photo.url).status_code, 404)
        self.assertEqual(self.get("principal1", self.member.photo.url).status_code, 200)

    def test_a_replaced_original_gets_a_new_copy(self):
        self.get("police1", self.log.photo.url)
        replacement = jpeg(taken_at="2026:11:23 07:40:00")
        Path(self.log.photo.path).write_bytes(replacement)
        later = os.stat(self.log.photo.path).st_mtime + 10
        os.utime(self.log.photo.path, (later, later))
        served = b"".join(self.get("police1", self.log.photo.url).streaming_content)
        self.assertEqual(taken_at_of(served), "2026:11:23 07:40:00")
        self.assertEqual(gps_of(served), {})

    def test_one_query_finds_the_file_and_how_to_serve_it(self):
        self.client.force_login(self.users["police1"])
        # 1. the session, 2. its user, 3. the user's role assignments (scope),
        # 4. the photo's duty log among those in scope, with whether the user
        #    sees it as school or bureau staff.
        with self.assertNumQueries(4):
            response = self.client.get(self.log.photo.url)
        self.assertEqual(response.status_code, 200)
        self.client.force_login(self.users["principal1"])
        # The same for a member, reached through their assignments.
        with self.assertNumQueries(4):
            response = self.client.get(self.member.photo.url)
        self.assertEqual(response.status_code, 200)


class UploaderTests(MediaTestCase):
    def test_the_uploader_gets_the_photo_through_the_api_with_a_token(self):
        token = self.client.post(
            "/api/v1/auth/token/", {"username": "officer1", "password": PASSWORD}
        ).json()["token"]
        self.log.delete()
        response = self.client.post(
            "/api/v1/duty-logs/",
            {
                "post_period": self.morning("s1").pk,
                "date": TODAY.isoformat(),
                "photo": upload(self.original),
            },
            headers={"authorization": f"Token {token}"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        url = response.json()["photo"]
        self.assertTrue(url.startswith("http://testserver/media/duty-logs/2026/11/"), url)
        self.client.logout()
        photo = self.client.get(url, headers={"authorization": f"Token {token}"})
        self.assertEqual(photo.status_code, 200)
        self.assertEqual(b"".join(photo.streaming_content), self.original)
        self.assertIn(self.client.get(url).status_code, (401, 403))

    def test_the_duty_log_page_shows_a_photo_its_viewers_can_open(self):
        self.client.force_login(self.users["principal1"])
        page = self.client.get(f"/posts/logs/{self.log.pk}/")
        self.assertContains(page, f'src="{self.log.photo.url}"')
        self.assertEqual(self.client.get(self.log.photo.url).status_code, 200)


@override_settings(MEDIA_INTERNAL_URL="/protected-media/")
class FrontProxyTests(MediaTestCase):
    @override_settings(MEDIA_SERVED_BY="nginx")
    def test_nginx_is_told_which_file_to_send(self):
        response = self.get("principal1", self.log.photo.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Accel-Redirect"], f"/protected-media/{self.log.photo.name}")
        self.assertEqual(response.content, b"")
        response = self.get("police1", self.log.photo.url)
        self.assertEqual(
            response["X-Accel-Redirect"], f"/protected-media/gps-stripped/{self.log.photo.name}"
        )
        stripped = Path(settings.MEDIA_ROOT, "gps-stripped", self.log.photo.name).read_bytes()
        self.assertEqual(gps_of(stripped), {})
        self.assertEqual(self.get("principal2", self.log.photo.url).status_code, 404)
        self.assertFalse(self.get("principal2", self.log.photo.url).has_header("X-Accel-Redirect"))

    @override_settings(MEDIA_SERVED_BY="apache")
    def test_apache_is_told_which_file_to_send(self):
        response = self.get("district1", self.member.photo.url)
        self.assertEqual(response["X-Sendfile"], self.member.photo.path)
        self.assertEqual(response.content, b"")

    @override_settings(MEDIA_SERVED_BY="nginx")
    def test_the_proxy_is_not_told_of_a_missing_file(self):
        os.remove(self.log.photo.path)
        self.assertEqual(self.get("principal1", self.log.photo.url).status_code, 404)


class DutyLogWithoutPhotoTests(MediaTestCase):
    def test_a_log_without_photo_reveals_nothing(self):
        DutyLog.objects.filter(pk=self.log.pk).update(photo="")
        self.assertEqual(self.get("admin", "/media/duty-logs/").status_code, 404)

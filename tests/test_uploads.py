"""Upload limits, the photo registry, and what a photo's EXIF says.

The code is in campussafety/uploads.py and campussafety/exif.py.

A 50 MB PNG and a 144-megapixel PNG are refused with a clear field error
through the API and the pages, judged from the file's size and header alone.
"""

import datetime
import io
import zlib
import zoneinfo
from decimal import Decimal

from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import models
from django.forms.models import model_to_dict
from django.test import RequestFactory, SimpleTestCase, override_settings
from django.test.utils import isolate_apps
from django.urls import reverse
from PIL import ExifTags, Image

from campussafety import uploads
from campussafety.exif import read_evidence, without_location
from posts.models import DutyLog, Member, PostPeriod
from posts.rosters import generate_shifts
from schools.querysets import ScopedQuerySet
from tests.photos import (
    GPS_BLOCK,
    gps_of,
    jpeg,
    png,
    png_of_bytes,
    png_of_pixels,
    taken_at_of,
    temporary_media,
    upload,
)
from tests.posts_world import TODAY, PostsWorldTestCase, make_id_number
from tests.test_settings_env import load_settings

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FIFTY_MB = 50 * 1024 * 1024


def too_large():
    return upload(png_of_bytes(FIFTY_MB), "gate.png", "image/png")


def too_many_pixels():
    return upload(png_of_pixels(12_000, 12_000), "gate.png", "image/png")


def claims_pixels(width, height):
    """A PNG whose header claims a size far beyond what any decoder should attempt."""
    data = png()
    header = b"IHDR" + width.to_bytes(4) + height.to_bytes(4) + data[24:29]
    return data[:12] + header + zlib.crc32(header).to_bytes(4) + data[33:]


@override_settings(LANGUAGE_CODE="en")
class LimitsTestCase(PostsWorldTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        generate_shifts(PostPeriod.objects.all(), TODAY, TODAY)

    def setUp(self):
        self.enterContext(temporary_media(self))

    def log_through_api(self, photo):
        return self.api("principal1").post(
            "/api/v1/duty-logs/",
            {"post_period": self.morning("s1").pk, "date": TODAY.isoformat(), "photo": photo},
            format="multipart",
        )

    def register_through_api(self, photo):
        return self.api("principal1").post(
            "/api/v1/members/",
            {
                "name": "张伟",
                "kind": "community_worker",
                "unit_kind": "community",
                "unit_name": "滨城区市中街道",
                "phone": "13912345678",
                "id_number": make_id_number("19900101"),
                "school": self.s1.pk,
                "photo": photo,
            },
            format="multipart",
        )

    def log_through_page(self, photo):
        self.client.force_login(self.users["principal1"])
        members = self.members["s1"]
        return self.client.post(
            reverse("posts:log-create", args=[self.morning("s1").pk]),
            {
                "date": TODAY.isoformat(),
                "present": [members[role].pk for role in ("police", "aux", "guard_a")],
                "illegal_parking": "0",
                "wrong_way_driving": "0",
                "electric_tricycles": "0",
                "farm_vehicles": "0",
                "other_traffic": "0",
                "photo": photo,
            },
        )

    def register_through_page(self, photo):
        self.client.force_login(self.users["principal1"])
        return self.client.post(
            reverse("posts:member-add"),
            {
                "name": "张伟",
                "id_number": make_id_number("19900101"),
                "kind": "community_worker",
                "school": self.s1.pk,
                "assignment_start": TODAY.isoformat(),
                "unit_kind": "community",
                "unit_name": "滨城区市中街道",
                "phone": "13912345678",
                "photo": photo,
            },
        )

    def assert_api_refused(self, response, words):
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn(words, " ".join(response.json()["photo"]).replace("\xa0", " "))

    def assert_form_refused(self, response, words):
        self.assertEqual(response.status_code, 200)
        errors = " ".join(response.context["form"].errors["photo"])
        self.assertIn(words, errors.replace("\xa0", " "))

    def assert_nothing_saved(self):
        self.assertFalse(DutyLog.objects.exists())
        self.assertFalse(Member.objects.filter(name="张伟").exists())


class LimitTests(LimitsTestCase):
    def test_a_50_mb_png_is_refused_through_the_api_and_the_pages(self):
        self.assert_api_refused(self.log_through_api(too_large()), "the limit is 10.0 MB")
        self.assert_form_refused(self.register_through_page(too_large()), "the limit is 10.0 MB")
        self.assert_nothing_saved()

    def test_a_144_megapixel_png_is_refused_through_the_api_and_the_pages(self):
        words = "12000 × 12000 pixels; the limit is 40 megapixels"
        self.assert_api_refused(self.log_through_api(too_many_pixels()), words)
        self.assert_api_refused(self.register_through_api(too_many_pixels()), words)
        self.assert_form_refused(self.log_through_page(too_many_pixels()), words)
        self.assert_form_refused(self.register_through_page(too_many_pixels()), words)
        self.assert_nothing_saved()

    def test_a_header_claiming_billions_of_pixels_is_refused_without_decoding(self):
        bomb = claims_pixels(60_000, 60_000)
        self.assertLess(len(bomb), 200)
        self.assertEqual(self.log_through_api(upload(bomb, "gate.png")).status_code, 400)
        response = self.register_through_page(upload(bomb, "gate.png"))
        self.assertIn("photo", response.context["form"].errors)
        self.assert_nothing_saved()

    def test_only_photo_formats_are_taken(self):
        tiff = io.BytesIO()
        Image.new("RGB", (4, 3)).save(tiff, "TIFF")
        # Named like a JPEG: the content decides, not the name.
        self.assert_api_refused(
            self.log_through_api(upload(tiff.getvalue())), "Upload a JPEG, PNG or WebP picture."
        )
        self.assert_form_refused(
            self.register_through_page(upload(tiff.getvalue())), "Upload a JPEG, PNG or WebP"
        )

    def test_the_limits_are_settings(self):
        with override_settings(UPLOAD_MAX_BYTES=1024):
            self.assert_api_refused(
                self.log_through_api(upload(jpeg(size=(300, 300)))), "the limit is 1.0 KB"
            )
        with override_settings(UPLOAD_MAX_MEGAPIXELS=1):
            response = self.log_through_page(upload(png_of_pixels(1001, 1000), "gate.png"))
            self.assert_form_refused(response, "the limit is 1 megapixels")
            response = self.log_through_page(upload(png_of_pixels(1000, 1000), "gate.png"))
        self.assertRedirects(response, reverse("posts:log-detail", args=[DutyLog.objects.get().pk]))

    def test_a_photo_within_the_limits_is_kept_as_uploaded(self):
        original = jpeg()
        response = self.register_through_api(upload(original))
        self.assertEqual(response.status_code, 201, response.content)
        member = Member.objects.get(name="张伟")
        self.assertEqual(member.photo.read(), original)

    def test_the_admin_refuses_the_same_files(self):
        member = self.member("s1", "community")
        request = RequestFactory().get("/")
        request.user = self.users["admin"]
        form_class = admin.site.get_model_admin(Member).get_form(request, member)
        data = {
            name: value
            for name, value in model_to_dict(member, fields=form_class.base_fields).items()
            if value is not None
        }
        form = form_class(data, {"photo": too_many_pixels()}, instance=member)
        self.assertFalse(form.is_valid())
        self.assertEqual(list(form.errors), ["photo"])
        self.assertIn("the limit is 40 megapixels", " ".join(form.errors["photo"]))

    def test_a_stored_photo_is_not_judged_again_when_its_object_is_edited(self):
        member = self.member("s1", "community")
        member.photo.save("old.jpg", ContentFile(jpeg(size=(300, 300))))
        with override_settings(UPLOAD_MAX_BYTES=1024, UPLOAD_MAX_MEGAPIXELS=1):
            response = self.api("principal1").patch(
                f"/api/v1/members/{member.pk}/", {"badge_number": "HX-09"}, format="json"
            )
        self.assertEqual(response.status_code, 200, response.content)


def test_the_limits_come_from_the_environment_strictly(tmp_path):
    for name, value, words in (
        ("UPLOAD_MAX_MB", "ten", "UPLOAD_MAX_MB='ten' is not a whole number"),
        ("UPLOAD_MAX_MEGAPIXELS", "0", "UPLOAD_MAX_MEGAPIXELS=0 must be at least 1"),
        ("MEDIA_SERVED_BY", "lighttpd", "MEDIA_SERVED_BY='lighttpd' must be one of"),
    ):
        result = load_settings(tmp_path, **{name: value})
        assert result.returncode != 0
        assert words in result.stderr


class RegistryTests(SimpleTestCase):
    def test_each_photo_field_owns_its_folder(self):
        found = {folder: (p.model, p.name) for folder, p in uploads.registry().items()}
        self.assertEqual(found["members"], (Member, "photo"))
        self.assertEqual(found["duty-logs"], (DutyLog, "photo"))
        self.assertEqual(uploads.protected_field_for("members/2026/11/a.jpg").model, Member)
        self.assertIsNone(uploads.protected_field_for("gps-stripped/members/2026/11/a.jpg"))
        self.assertEqual(uploads.check_protected_folders(), [])

    def test_photo_columns_are_indexed(self):
        self.assertTrue(Member._meta.get_field("photo").db_index)
        self.assertTrue(DutyLog._meta.get_field("photo").db_index)

    @isolate_apps("posts", kwarg_name="isolated")
    def test_a_shared_or_reserved_folder_is_a_system_check_error(self, isolated):
        class Round(models.Model):  # noqa: DJ008
            photo = uploads.ProtectedImageField(upload_to="rounds/%Y/")
            objects = ScopedQuerySet.as_manager()

            class Meta:
                app_label = "posts"

        class Hazard(models.Model):  # noqa: DJ008
            photo = uploads.ProtectedImageField(upload_to="rounds/")
            before = uploads.ProtectedImageField(upload_to="gps-stripped/")
            objects = ScopedQuerySet.as_manager()

            class Meta:
                app_label = "posts"

        class Loose(models.Model):  # noqa: DJ008
            photo = uploads.ProtectedImageField(upload_to="loose/")
            by_day = uploads.ProtectedImageField(upload_to="%Y/")

            class Meta:
                app_label = "posts"

        errors = uploads.check_protected_folders([isolated.get_app_config("posts")])
        messages = sorted((error.id, error.msg.split(" ")[0]) for error in errors)
        self.assertEqual(
            messages,
            [
                ("uploads.E001", "posts.Hazard.before"),
                ("uploads.E001", "posts.Hazard.photo"),
                ("uploads.E003", "posts.Loose.photo"),
            ],
        )
        self.assertEqual(
            [error.id for error in Loose._meta.get_field("by_day").check()], ["uploads.E002"]
        )


class EvidenceTests(SimpleTestCase):
    def evidence(self, data):
        return read_evidence(io.BytesIO(data))

    def test_capture_time_and_location_of_a_phone_photo(self):
        evidence = self.evidence(jpeg())
        self.assertEqual(
            evidence.taken_at, datetime.datetime(2026, 11, 23, 7, 12, 30, tzinfo=SHANGHAI)
        )
        self.assertEqual(evidence.taken_at.utcoffset(), datetime.timedelta(hours=8))
        self.assertEqual(
            evidence.gps_time, datetime.datetime(2026, 11, 22, 23, 12, 29, tzinfo=datetime.UTC)
        )
        self.assertEqual(evidence.latitude, Decimal("37.3801389"))
        self.assertEqual(evidence.longitude, Decimal("117.9700694"))
        self.assertEqual(evidence.altitude, Decimal("12.0"))
        self.assertTrue(evidence.has_location)

    def test_a_time_without_offset_is_local_time(self):
        evidence = self.evidence(jpeg(offset=None))
        self.assertEqual(
            evidence.taken_at, datetime.datetime(2026, 11, 23, 7, 12, 30, tzinfo=SHANGHAI)
        )

    def test_south_and_west_are_negative(self):
        gps = GPS_BLOCK | {ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLongitudeRef: "W"}
        evidence = self.evidence(jpeg(gps=gps))
        self.assertEqual(
            (evidence.latitude, evidence.longitude),
            (Decimal("-37.3801389"), Decimal("-117.9700694")),
        )

    def test_photos_that_say_nothing_give_nothing(self):
        for case, data in {
            "no exif": png(),
            "not a picture": b"GIF89a not really",
            "a wrong clock and no location": jpeg(taken_at="0000:00:00 00:00:00", gps=None),
        }.items():
            with self.subTest(case):
                evidence = self.evidence(data)
                self.assertIsNone(evidence.taken_at)
                self.assertFalse(evidence.has_location)
        evidence = self.evidence(jpeg(gps=None))
        self.assertIsNotNone(evidence.taken_at)
        self.assertEqual((evidence.latitude, evidence.gps_time), (None, None))


class StoredEvidenceTests(PostsWorldTestCase):
    def test_the_evidence_of_a_stored_photo(self):
        self.enterContext(temporary_media(self))
        member = self.member("s1", "guard_a")
        member.photo.save("guard.jpg", ContentFile(jpeg()))
        member = Member.objects.get(pk=member.pk)
        self.assertEqual(read_evidence(member.photo).latitude, Decimal("37.3801389"))


class WithoutLocationTests(SimpleTestCase):
    def test_a_photo_without_location_keeps_its_pixels_and_time(self):
        data = jpeg(gps=None)
        stripped = without_location(data)
        self.assertEqual(taken_at_of(stripped), taken_at_of(data))
        with Image.open(io.BytesIO(stripped)) as a, Image.open(io.BytesIO(data)) as b:
            self.assertEqual(a.tobytes(), b.tobytes())
        self.assertEqual(without_location(png()), png())

    def test_exif_that_cannot_be_rewritten_goes_whole(self):
        data = jpeg()
        broken = b"Exif\x00\x00II*\x00\xff\xff\xff\x7f GPS"
        segment = b"\xff\xe1" + (len(broken) + 2).to_bytes(2) + broken
        stripped = without_location(data[:2] + segment + data[2:])
        self.assertNotIn(b" GPS", stripped)
        self.assertEqual(gps_of(stripped), {})

    def test_xmp_goes_too_because_it_can_repeat_the_location(self):
        buffer = io.BytesIO()
        xmp = (
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
            b"<exif:GPSLatitude>37,22.8N</exif:GPSLatitude></x:xmpmeta>"
        )
        Image.new("RGB", (8, 8)).save(buffer, "JPEG", xmp=xmp)
        self.assertIn(b"GPSLatitude", buffer.getvalue())
        self.assertNotIn(b"GPSLatitude", without_location(buffer.getvalue()))

    def test_a_png_with_a_location_is_re_encoded_without_it(self):
        exif = Image.Exif()
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS_BLOCK)
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:23 07:12:30"
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), "navy").save(buffer, "PNG", exif=exif.tobytes())
        stripped = without_location(buffer.getvalue())
        self.assertEqual(read_evidence(io.BytesIO(stripped)).latitude, None)
        self.assertEqual(taken_at_of(stripped), "2026:11:23 07:12:30")
        with Image.open(io.BytesIO(stripped)) as a, Image.open(buffer) as b:
            self.assertEqual(a.tobytes(), b.tobytes())

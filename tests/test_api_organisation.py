"""The organisation endpoints join the shared permission tests."""

import datetime

from rest_framework import status

from schools.models import CalendarException, Term
from tests.base import WorldTestCase
from tests.permissions import ScopedAPITests

BUREAU = {"admin", "city", "district1", "district2"}


class CityAPITests(ScopedAPITests, WorldTestCase):
    basename = "city"
    can_create = can_update = can_delete = {"admin"}
    delete_status = status.HTTP_409_CONFLICT
    create_status_unseen = status.HTTP_403_FORBIDDEN

    def object_for(self, school):
        return school.district.city

    def create_payload(self, school):
        return {"name": f"新城市{self.seq()}", "code": f"{379000 + self.seq()}"}

    def update_payload(self, obj):
        return {"name": obj.name + "（改）"}


class DistrictAPITests(ScopedAPITests, WorldTestCase):
    basename = "district"
    can_create = can_update = can_delete = {"admin", "city"}
    delete_status = status.HTTP_409_CONFLICT

    def object_for(self, school):
        return school.district

    def create_payload(self, school):
        return {
            "city": school.district.city_id,
            "name": f"新区{self.seq()}",
            "code": f"{378000 + self.seq()}",
        }

    def update_payload(self, obj):
        return {"name": obj.name + "（改）"}


class PoliceStationAPITests(ScopedAPITests, WorldTestCase):
    basename = "policestation"
    can_create = can_update = can_delete = BUREAU
    delete_status = status.HTTP_409_CONFLICT

    def object_for(self, school):
        return school.police_station

    def create_payload(self, school):
        return {"district": school.district_id, "name": f"新派出所{self.seq()}"}

    def update_payload(self, obj):
        return {"duty_phone": "0543-1234567"}


class SchoolAPITests(ScopedAPITests, WorldTestCase):
    basename = "school"
    can_create = can_delete = BUREAU
    can_update = BUREAU | {"principal1", "principal2"}

    def object_for(self, school):
        return school

    def create_payload(self, school):
        return {
            "name": f"新建小学{self.seq()}",
            "code": f"{3799990000 + self.seq()}",
            "school_type": "primary",
            "district": school.district_id,
            "police_station": school.police_station_id,
        }

    def update_payload(self, obj):
        return {"address": "黄河五路 1 号", "enrolment": 1200}


class GateAPITests(ScopedAPITests, WorldTestCase):
    basename = "gate"
    can_create = can_update = can_delete = BUREAU | {"principal1", "principal2", "officer1"}

    def object_for(self, school):
        return school.gates.get(name="南门")

    def create_payload(self, school):
        return {"school": school.pk, "name": f"北门接送点{self.seq()}", "kind": "pickup_point"}

    def update_payload(self, obj):
        return {"description": "早高峰车流大"}


class TermAPITests(ScopedAPITests, WorldTestCase):
    basename = "term"
    can_create = can_update = can_delete = BUREAU

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for district in (cls.d1, cls.d2, cls.d3):
            Term.objects.create(
                district=district,
                name="2026-2027 学年第一学期",
                start_date=datetime.date(2026, 9, 1),
                end_date=datetime.date(2027, 1, 22),
            )

    def object_for(self, school):
        return Term.objects.get(district=school.district)

    def create_payload(self, school):
        return {
            "district": school.district_id,
            "name": "2026-2027 学年第二学期",
            "start_date": "2027-02-20",
            "end_date": "2027-07-05",
        }

    def update_payload(self, obj):
        return {"end_date": "2027-01-25"}


class CalendarExceptionAPITests(ScopedAPITests, WorldTestCase):
    basename = "calendarexception"
    can_create = can_update = can_delete = BUREAU

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for school in (cls.s1, cls.s2, cls.s3):
            CalendarException.objects.create(
                school=school, date=datetime.date(2026, 12, 3), kind="closed", reason="暴雪停课"
            )

    def object_for(self, school):
        return CalendarException.objects.get(school=school)

    def create_payload(self, school):
        return {
            "school": school.pk,
            "date": f"2026-12-{4 + self.seq() % 20:02d}",
            "kind": "closed",
            "reason": "暴雪停课",
        }

    def update_payload(self, obj):
        return {"reason": "暴雪红色预警停课"}

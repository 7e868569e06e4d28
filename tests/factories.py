"""factory_boy factories for the organisation and users."""

import factory

from accounts.choices import Role
from accounts.models import RoleAssignment, User
from schools.choices import SchoolType
from schools.models import City, District, Gate, PoliceStation, School


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"城市{n}")
    code = factory.Sequence(lambda n: f"{900000 + n:06d}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"区{n}")
    code = factory.Sequence(lambda n: f"{800000 + n:06d}")


class PoliceStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceStation

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"派出所{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    police_station = factory.SubFactory(
        PoliceStationFactory, district=factory.SelfAttribute("..district")
    )
    name = factory.Sequence(lambda n: f"第{n}小学")
    code = factory.Sequence(lambda n: f"{3700000000 + n:010d}")
    school_type = SchoolType.PRIMARY
    enrolment = 800
    staff_count = 60


class GateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gate

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"{n}号门")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-Word-1")


def assign(user, role, unit=None):
    field = {
        Role.CITY_STAFF: "city",
        Role.DISTRICT_STAFF: "district",
        Role.PRINCIPAL: "school",
        Role.SAFETY_OFFICER: "school",
        Role.POLICE_LIAISON: "police_station",
        Role.GUARD: "school",
    }.get(role)
    return RoleAssignment.objects.create(user=user, role=role, **({field: unit} if field else {}))

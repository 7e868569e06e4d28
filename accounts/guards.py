"""Guards' accounts: created, given a new password and deactivated by their school's staff.

Only what touches accounts lives here; who may manage which guard is decided
by the page that calls these (inspections/views/guards.py), through the scope.
A new or reset password is random and shown once to the staff member, who
hands it over; the guard changes it on their account page.
"""

from django.db import transaction
from django.utils.crypto import get_random_string

from accounts.choices import Role
from accounts.models import RoleAssignment, User

# No 0/O or 1/l/I: read aloud or copied from a screen at the gate.
PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12


def new_password() -> str:
    return get_random_string(PASSWORD_LENGTH, PASSWORD_CHARS)


def create_guard(school, username: str, full_name: str) -> tuple[User, str]:
    """A guard's account at `school`, and its first password."""
    password = new_password()
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, full_name=full_name)
        RoleAssignment.objects.create(user=user, role=Role.GUARD, school=school)
    return user, password


def guards_of(schools):
    """Users whose every role is a guard's at one of `schools` (a School queryset).

    A guard who also holds another role (or guards a school beyond these) is
    not the school's to manage: only whoever manages all their roles is.
    """
    elsewhere = RoleAssignment.objects.exclude(role=Role.GUARD, school__in=schools)
    return (
        User.objects.filter(role_assignments__role=Role.GUARD, role_assignments__school__in=schools)
        .exclude(pk__in=elsewhere.values("user"))
        .exclude(is_superuser=True)
        .exclude(is_staff=True)
        .distinct()
    )


def reset_password(user: User) -> str:
    password = new_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


def set_active(user: User, active: bool) -> None:
    user.is_active = active
    user.save(update_fields=["is_active"])

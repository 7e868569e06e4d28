"""Personal data: ID card numbers and phone numbers, validated and masked the same way everywhere.

ID card numbers (居民身份证号码, GB 11643-1999) are personal information under
the PIPL. The platform never stores one in clear: it keeps a keyed hash, to
recognise the same person registered twice, and the masked form shown on
screen. Nothing the platform does needs the full number back (verification is
done by the police against the person's card), so it is not kept at all, not
even encrypted. Error messages never repeat the number.
"""

import datetime
import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$", re.ASCII)
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_PATTERN = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalise_id_number(value: str) -> str:
    return ric.compact(value or "")


def id_check_char(first17: str) -> str:
    """The check character of GB 11643 (python-stdnum's cn.ric computes it)."""
    # calc_check_digit() reads a whole number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def validate_id_number(value: str, today: datetime.date | None = None) -> str:
    """Return the normalised number, or raise ValidationError without echoing it.

    python-stdnum's cn.ric reads the birth date and computes the check
    character; its validate() is not used because it also checks the first six
    digits against the counties that existed in the birth year, which refuses
    real people (a number issued under a county code created after their birth,
    such as Binzhou's 371602 for someone born in 1985).
    """
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(_("An ID card number has 18 characters."), code="id_length")
    if not ID_PATTERN.match(number):
        raise ValidationError(
            _("An ID card number is 17 digits followed by a digit or X."), code="id_format"
        )
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.InvalidComponent:
        raise ValidationError(
            _("The birth date in this ID card number is not a real date."), code="id_birth"
        ) from None
    today = today or datetime.date.today()
    if birth.year < 1900 or birth > today:
        raise ValidationError(
            _("The birth date in this ID card number is not plausible."), code="id_birth"
        )
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The check digit of this ID card number is wrong; please check for a typo."),
            code="id_checksum",
        )
    return number


def hash_id_number(number: str) -> str:
    """A keyed hash: equal numbers give equal hashes, but the number cannot be recovered
    or guessed by hashing candidates without the key."""
    key = settings.ID_NUMBER_HASH_KEY.encode()
    return hmac.new(key, normalise_id_number(number).encode(), hashlib.sha256).hexdigest()


def mask_id_number(number: str) -> str:
    """First 3 and last 4 characters, e.g. 370***********1234."""
    number = normalise_id_number(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def validate_phone(value: str) -> str:
    phone = (value or "").strip().replace(" ", "")
    if not (MOBILE_PATTERN.match(phone) or LANDLINE_PATTERN.match(phone)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline number with its area code."),
            code="phone",
        )
    return phone


def submitted_phone(value: str, stored: str = "") -> str:
    """The phone a form or API write submitted, validated.

    A viewer who may not see the stored phone in full is shown it masked; sent
    back unchanged, that mask keeps the stored number rather than replacing it.
    """
    if stored and (value or "").strip() == mask_phone(stored):
        return stored
    return validate_phone(value)


def mask_phone(phone: str) -> str:
    """138****5678 for a mobile; the area code and last 4 digits for a landline."""
    return mask_number(phone)


def mask_number(number: str) -> str:
    """The first 3 and last 4 characters of a personal number (a phone, a certificate or
    police number); all masked when it is too short to keep any."""
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"

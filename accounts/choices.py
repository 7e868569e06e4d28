from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CITY_STAFF = "city_staff", _("City education bureau staff")
    DISTRICT_STAFF = "district_staff", _("District education bureau staff")
    PRINCIPAL = "principal", _("Principal")
    SAFETY_OFFICER = "safety_officer", _("School safety officer")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    GUARD = "guard", _("Security guard")

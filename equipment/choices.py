from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    DEFENCE_TOOL = "defence_tool", _("Defence tools")
    PERSONAL_PROTECTION = "personal_protection", _("Personal protection")
    COMMUNICATION_LIGHT = "communication_light", _("Communication and light")
    # "Fire" is also a drill scenario (火灾); as a kind of equipment it is 消防.
    FIRE = "fire", pgettext_lazy("equipment category", "Fire")
    TECHNICAL_DEFENCE = "technical_defence", _("Technical defence")
    PHYSICAL_DEFENCE = "physical_defence", _("Physical defence")


class LocationKind(models.TextChoices):
    """Where equipment is kept; the kit standard's lines name the first five."""

    GATEHOUSE = "gatehouse", _("Gatehouse")
    PROTECTION_BOOTH = "protection_booth", _("Protection booth")
    POLICE_ROOM = "police_room", _("Campus police room")
    GUARD = "guard", _("Guard on duty")
    FLOOR = "floor", _("Building floor")
    STORE = "store", _("Store room")
    OTHER = "other", _("Other place")


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ISSUED = "issued", _("Issued to a location")
    TRANSFERRED = "transferred", _("Transferred")
    CHECKED = "checked", _("Checked")
    SERVICED = "serviced", _("Serviced")
    FAILED = "failed", _("Failed")
    REPAIRED = "repaired", _("Repaired")
    LOST = "lost", _("Lost")
    SCRAPPED = "scrapped", _("Scrapped")


class ItemStatus(models.TextChoices):
    """A piece's state. The ledger sets in service, faulty, lost and scrapped; expired and
    under repair are set by the service sweep and repair records that build on it."""

    IN_SERVICE = "in_service", _("In service")
    FAULTY = "faulty", _("Faulty")
    UNDER_REPAIR = "under_repair", _("Under repair")
    EXPIRED = "expired", _("Expired")
    SCRAPPED = "scrapped", _("Scrapped")
    LOST = "lost", _("Lost")

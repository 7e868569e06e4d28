"""The catalogue and kit standard (catalogue.py); the inventory and its ledger (inventory.py);
service records, technical-system tests and handover kit confirmations (checks.py);
the monthly extinguisher check (extinguishers.py)."""

from equipment.models.catalogue import EquipmentType, KitLine, KitStandard
from equipment.models.checks import (
    AlarmTest,
    KitConfirmation,
    KitShortage,
    ServiceRecord,
    VideoCheck,
)
from equipment.models.extinguishers import ExtinguisherAnswer, ExtinguisherCheck
from equipment.models.inventory import Item, Location, Movement, StockBalance

__all__ = [
    "AlarmTest",
    "KitConfirmation",
    "KitShortage",
    "ServiceRecord",
    "VideoCheck",
    "EquipmentType",
    "ExtinguisherAnswer",
    "ExtinguisherCheck",
    "Item",
    "KitLine",
    "KitStandard",
    "Location",
    "Movement",
    "StockBalance",
]

"""The catalogue and kit standard (catalogue.py); the inventory and its ledger (inventory.py)."""

from equipment.models.catalogue import EquipmentType, KitLine, KitStandard
from equipment.models.inventory import Item, Location, Movement, StockBalance

__all__ = [
    "EquipmentType",
    "Item",
    "KitLine",
    "KitStandard",
    "Location",
    "Movement",
    "StockBalance",
]

"""The inspections pages, one module per concern (rounds.py: rounds, their records, QR sheets)."""

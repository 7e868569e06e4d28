"""The coordination pages: meetings (meetings.py), the register (register.py), legal
vice-presidents (legal.py)."""

"""The equipment pages: the school's board and pieces (board.py), recording movements
(movements.py), the bureaus' compliance and due lists (compliance.py), import and export
(transfer.py)."""

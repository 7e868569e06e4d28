"""HTML pages of the school protection posts, one module per concern (as urls.py lists them)."""

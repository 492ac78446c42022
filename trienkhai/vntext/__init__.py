"""Reading Vietnamese administrative text (pure Python, no Django)."""

"""The dashboard a leader opens every morning: roll-up, drill-down, charts, export."""

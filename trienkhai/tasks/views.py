"""Pages of the cascade: tasks, targeting, assignments, updates, programs."""

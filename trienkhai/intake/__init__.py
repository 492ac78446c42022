"""New from text: read a directive, propose its tasks, create them once an officer confirms."""

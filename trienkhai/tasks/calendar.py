"""The personal calendar feed (ICS) of a user's deadlines."""

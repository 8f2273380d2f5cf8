"""Deadline reminders (DESIGN.md §5): a periodic sweep finds what is due, claims one row per
reminder under a unique key, and delivers each row once by e-mail and to the in-app inbox."""

# Notification records and e-mail preferences: built by the handoff issue (#4).

"""Patient reminders (email, sent by ``backpath send-reminders``) and the program calendar."""

"""What BackPath shows and prints, without Django: exercise figures, charts, PDF building, the
patient's plan in plain words, schedule and day wording, calendar and email text, citations.

A service layer above the domain (it reads plans, programs and the knowledge base and decides
nothing) and below the interfaces: the web pages, the CLI and the reminders use one copy of
each.
"""

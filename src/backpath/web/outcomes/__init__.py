"""The clinic's outcomes: each episode's result materialised by a background job
(``aggregation``), the case-mix model fitted on the clinic's closed episodes, and the
dashboard that aggregates them in the database (``dashboard``) for the lead and clinicians.
"""

"""Questionnaires the patient fills in: sent by a clinician (or scheduled before a review) by
email, as a one-time link that works on a phone without an account, or in the patient's app;
scored by the instruments; red-flag answers raise the same alert as everywhere else; the
answers reach the intake or the review once a clinician confirms them."""

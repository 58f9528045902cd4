"""BackPath's web layer: Django apps cut by audience and context.

Records (each owns its models and their one writer), lowest first; an app imports only apps
that come before it in this list, so no two apps import each other in a circle
(``tests/test_architecture.py`` checks it):

1. ``accounts`` (clinics, users, roles), ``audit`` (the audit trail), ``outbox`` (emails sent
   once by the background worker, on Django's Tasks API);
2. ``patients`` (patients, episodes, intakes, the intake forms);
3. ``plans`` (plan versions and clinician decisions, the clinician's plan pages);
4. ``alerts`` (alerts and who is told);
5. ``diary`` (diary entries and exercise logs, the alerts a patient report raises, progress);
6. ``reminders`` (reminder settings, the reminder email and calendar);
7. ``outcomes`` (each episode's result and the case-mix model, recomputed by a nightly task;
   the outcome dashboard for the lead and clinicians);
8. ``questionnaires`` (questionnaires sent to the patient and answered by a one-time link or
   in the app, scored, confirmed into the intake or the diary; review ones scheduled).

Pages that compose those records, by audience: ``logins`` (who gets a login and how:
invitations and one-time links, password reset, the lead's Staff page), ``clinic`` (the
clinician's worklist, record and intake), ``review`` (the clinician's review), ``care``
(the patient's pages: Today, My plan, handout, diary, progress), ``selfcheck`` (the public
self-check), ``api``, ``fhir``, ``ehrs`` (the EHRs a clinic trusts for CDS Hooks), ``cds``
and ``launch`` (SMART EHR launch) for other systems, ``demo`` (the demo clinic).
Shared helpers without models live beside them: ``lookups`` (who may see which record),
``links`` (where email links point).
"""

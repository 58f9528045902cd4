"""The demo clinic (``backpath demo``): accounts and twelve patients with 12 weeks of diary.

An app without models: it owns the ``seed_demo`` command, and ``builder.build_demo()`` writes
ordinary rows of the other apps. Demo data is created only by ``backpath demo``
(``manage.py seed_demo``), never by migrations. Import from ``builder`` and ``cases``: this
package loads before the models are ready, so it imports nothing itself.
"""

"""Settings for the test suite: production settings with a throwaway key and plain HTTP."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("BACKPATH_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("BACKPATH_SECURE", "0")
os.environ.setdefault("BACKPATH_STAFF_MFA", "0")  # the tests of two-factor sign-in turn it on
os.environ.setdefault("BACKPATH_DATA_DIR", tempfile.mkdtemp(prefix="backpath-test-"))
# Canonical URLs are in the golden files, so they are fixed whatever the shell says: the test
# client's own FHIR base, where every canonical URL resolves as it does on a deployment.
os.environ["BACKPATH_FHIR_CANONICAL"] = TEST_FHIR_CANONICAL = "http://testserver/fhir"

from backpath.web.settings import *  # noqa: F403

# Argon2 is what production uses (asserted by a test); tests hash hundreds of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Alerts and reminders are emailed; tests read them from django.core.mail.outbox.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Background tasks run at once in tests, so a test sees the email its action queued; the tests
# of the queue itself switch to the database backend and run a real worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

"""The clinician's review of a patient's progress: baseline against now, responder status and
the engine's suggestions, accepted into a new plan version (under the plan's URLs)."""

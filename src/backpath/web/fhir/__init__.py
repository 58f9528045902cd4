"""FHIR R4B REST endpoints (/fhir/...) over the web app's records and authorisation."""

"""FHIR R4 REST endpoints (/fhir/...) over the web app's records and authorisation."""

"""SMART on FHIR EHR launch into BackPath: the clinic lead registers an EHR's SMART endpoint,
the EHR opens ``/launch/smart?iss=...&launch=...``, BackPath (a confidential OAuth2 client
with PKCE) gets the EHR's patient and opens, or with the clinician's confirmation creates,
the BackPath patient matched on identifiers."""

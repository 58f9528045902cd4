"""The EHRs a clinic connects: their registration (issuer, keys, tenant) and how their signed
CDS Hooks calls are verified."""

"""CDS Hooks 2.0 service (/cds-services) for EHRs."""

"""The EHR the tests play (tests.web.ehr_double): its keys, JWTs and JWK Set server."""

from tests.web.ehr_double import ehr, forget_jwks, jwks_server

__all__ = ["ehr", "forget_jwks", "jwks_server"]

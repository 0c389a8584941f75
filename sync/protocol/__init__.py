"""The sync protocol's one wire schema, imported by both ends: the terminal's client (``sync.client``) and
the district server (``sync.server``).

- :mod:`sync.protocol.schema` — the strict pydantic models of every signed record and every answer;
- :mod:`sync.protocol.signing` — Ed25519 signing and verification over canonical JSON;
- :mod:`sync.protocol.wire` — the limits and names both ends agree on (page sizes, caps, headers);
- :mod:`sync.protocol.requests` — the request bodies the terminal sends (submissions, lookup, enrolment).
"""

"""Sync with the district server: the wire protocol (both ends), the terminal's client and the reference
district server. Imports no Qt; the app runs :class:`sync.loop.SyncLoop` on a worker thread.

See ``docs/protocol.md`` for the protocol itself.
"""

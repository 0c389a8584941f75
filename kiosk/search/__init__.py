"""Chinese full-text search over the kiosk mirror (检索).

Index maintenance lives in :mod:`kiosk.search.index` (called by ``kiosk.mirror.store``); the query
API the UI and the CLI use is documented here once it lands (``search``, ``suggest``).
"""

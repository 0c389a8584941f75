"""Core of the 政务公开专区 query kiosk: configuration, the local mirror, search, applications,
session and privacy rules, staff authentication and the command line.

This package imports no Qt and no HTTP client: it runs and is tested without a display or a network.
"""

__version__ = "0.1.0"

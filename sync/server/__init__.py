"""The reference district server: database, publishing, HTTP API and admin pages. Run ``python -m
sync.server --help`` for its command line."""

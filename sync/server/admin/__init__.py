"""People at the server: per-person accounts, login, sessions, CSRF, and the pages' shared layout."""

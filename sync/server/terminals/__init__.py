"""The terminals from the district's side: enrolment, submissions from their outboxes (applications,
ratings, usage, heartbeats), the status lookup, and IT's fleet page."""

"""The read side terminals pull: the signed manifest, the changes feed, blobs, first-sync snapshots, the
zones, categories and working-day calendar — and publishing, which writes the feed."""

"""The visit session runs every wipe callback when a visit ends, even if one of them fails."""

from __future__ import annotations

from kiosk.session import VisitSession


def test_end_runs_every_callback_and_starts_a_new_visit() -> None:
    now = [100.0]
    visit = VisitSession(clock=lambda: now[0])
    wiped: list[str] = []
    visit.register("search", lambda: wiped.append("search"))
    visit.register("broken", lambda: 1 / 0)  # type: ignore[func-returns-value]
    visit.register("wizard", lambda: wiped.append("wizard"))
    now[0] = 190.0
    assert visit.seconds() == 90.0
    assert visit.end("idle") == 2
    assert wiped == ["search", "wizard"]
    assert visit.seconds() == 0.0 and visit.visits_ended == 1
    visit.unregister("search")
    assert visit.registered == ("broken", "wizard")

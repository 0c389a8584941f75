"""A visit's usage reaches the outbox for the monthly evaluation: the real shell, offscreen — a document
read, a search committed, a rating — then the idle timeout ends the visit and one ``usage`` entry holds
its events (local time, the document's category, the search's hit count, no query text: one visit only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from uishell import Shell

from kiosk.config import demo_config
from kiosk.db import make_engine, session_factory
from kiosk.outbox import OutboxEntry

pytestmark = pytest.mark.slow


@pytest.fixture
def shell(make_shell: Callable[..., Shell], tmp_path: Path) -> Shell:
    """A terminal with a mirror of its own: the shared demo mirror's outbox holds the visits of every
    earlier screen test, and this test counts the entries one visit leaves."""
    from ui.app import open_mirror

    cfg = demo_config(tmp_path / "terminal")
    open_mirror(cfg)
    return make_shell(cfg=cfg)


def _usage(shell: Shell) -> list[dict[str, Any]]:
    engine = make_engine(shell.app.config.db_path)
    with session_factory(engine)() as s:
        rows = [json.loads(e.payload) for e in s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "usage"))]
    engine.dispose()
    return rows


def test_a_visit_sends_its_events_when_it_ends(shell: Shell) -> None:
    shell.window.openRoute("document", {"docId": "louxing-guide-dibao"})
    shell.wait_page("documentPage")
    shell.tap("homeButton")
    shell.wait_page("homePage")
    shell.tap("homeSearch")
    shell.wait_page("searchPage")
    shell.find("searchField").setProperty("text", "最低生活保障")
    search_vm = next(c for c in shell.page.children() if c.metaObject().className().startswith("SearchModel"))
    shell.wait(lambda: search_vm.property("query") == "最低生活保障" and search_vm.property("total") > 0, 10_000)
    search_vm.commit()
    shell.window.openRoute("home", {})
    shell.wait_page("homePage")
    shell.tap("footerRatingButton")
    shell.wait_page("ratingPage")
    shell.tap("rate-5")
    shell.wait(lambda: "已记录" in shell.find("ratingOutcome").property("text"))
    assert _usage(shell) == [], "nothing is sent while the visit goes on"
    idle = shell.singleton("Idle")
    idle.expireNow()
    shell.wait_page("homePage")
    shell.wait(lambda: len(_usage(shell)) == 1, 5000)
    (visit,) = _usage(shell)
    assert visit["zone"] == shell.app.config.terminal.zone
    types = [e["type"] for e in visit["events"]]
    assert types[0] == "session" and {"doc_read", "search", "rating"} <= set(types)
    read = next(e for e in visit["events"] if e["type"] == "doc_read")
    assert read["category"]
    search = next(e for e in visit["events"] if e["type"] == "search")
    assert search["hits"] > 0 and "query" not in search, "one visit's query text is not sent"
    assert next(e for e in visit["events"] if e["type"] == "rating")["level"] == 5
    assert all(e["at"].endswith("+08:00") for e in visit["events"])

"""Every list model of the screens passes pytest-qt's qtmodeltester, filled from the demo mirror
through the real DB worker (so inserts, resets and paging are the ones QML sees)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.config import Config


@pytest.fixture
def services(qapp: Any, demo_cfg: Config) -> Iterator[Any]:
    from ui.app import build_services
    from ui.worker import DbWorker

    worker = DbWorker(demo_cfg.db_path)
    worker.start()
    yield build_services(demo_cfg, worker)
    worker.stop()


def test_category_model(qtmodeltester: Any, qtbot: Any, services: Any) -> None:
    from ui.vm_catalog import CategoryModel

    model = CategoryModel(services=services)
    qtmodeltester.check(model)
    model.facet = "sector"
    qtbot.waitUntil(lambda: model.rowCount() == 26, timeout=5000)
    qtmodeltester.check(model)
    names = [model.nameAt(i) for i in range(model.rowCount())]
    assert "社会救助" in names and "户籍管理" in names


def test_document_list_model_pages_and_filters(qtmodeltester: Any, qtbot: Any, services: Any) -> None:
    from ui import vm_catalog
    from ui.vm_catalog import DocumentListModel

    model = DocumentListModel(services=services)
    model.category = "type-zhengce-huibian"
    qtbot.waitUntil(lambda: model.property("total") > 0 and not model.property("fetching"), timeout=5000)
    total = model.property("total")
    assert total > vm_catalog.PAGE, "the demo category is larger than one page"
    assert model.rowCount() == vm_catalog.PAGE
    qtmodeltester.check(model)
    model.fetchMore(model.index(-1, 0).parent())
    qtbot.waitUntil(lambda: model.rowCount() == min(total, 2 * vm_catalog.PAGE), timeout=5000)
    qtmodeltester.check(model)
    dates = [model.data(model.index(i, 0), vm_catalog.DocumentRole.Published) for i in range(model.rowCount())]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True), "newest first"
    model.status = vm_catalog.DocumentStatus.Status.Repealed
    qtbot.waitUntil(lambda: model.property("total") >= 0 and not model.property("fetching"), timeout=5000)
    statuses = {model.data(model.index(i, 0), vm_catalog.DocumentRole.Status) for i in range(model.rowCount())}
    assert statuses <= {vm_catalog.DocumentStatus.Status.Repealed}
    qtmodeltester.check(model)


def test_search_model(qtmodeltester: Any, qtbot: Any, services: Any) -> None:
    from ui.vm_search import SearchModel, SearchRole

    model = SearchModel(services=services)
    qtmodeltester.check(model)
    model.query = "低保"
    qtbot.waitUntil(lambda: model.property("answeredQuery") == "低保", timeout=5000)
    assert model.rowCount() > 0
    snippet = model.data(model.index(0, 0), SearchRole.Snippet) + model.data(model.index(0, 0), SearchRole.Title)
    assert "低保" in snippet or "最低生活保障" in snippet
    qtmodeltester.check(model)
    model.query = "最低生活保障"
    model.query = "最低生活保障实施办法"
    qtbot.waitUntil(lambda: model.property("answeredQuery") == "最低生活保障实施办法", timeout=5000)
    top = [model.data(model.index(i, 0), SearchRole.Title) for i in range(min(3, model.rowCount()))]
    assert "娄星区城乡最低生活保障实施办法" in top
    model.commit()
    assert model.property("recent") == ["最低生活保障实施办法"]
    model.query = "最低"  # fewer characters, different rows: updated in place, checked by the tester
    qtbot.waitUntil(lambda: model.property("answeredQuery") == "最低", timeout=5000)
    qtmodeltester.check(model)
    services.visit.end("test")
    assert model.property("recent") == [] and model.rowCount() == 0
    qtmodeltester.check(model)

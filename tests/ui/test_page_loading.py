"""A screen that cannot be opened is a bug: the shell warns (so a test sees it) and tells the resident.

Pages are the Components of ``Routes.qml``; ``Main.qml`` pushes them. A page that fails to be created
(here: the document page opened without the ``docId`` it requires) or a route that does not exist must
produce a Qt warning naming the route and show PageError.qml, with a way home; never a quiet
placeholder such as 该功能暂未开放, and never an empty entry left on the StackView.
"""

from __future__ import annotations

from typing import Any

import pytest
from uishell import Shell

pytestmark = pytest.mark.slow


def _warnings(qtlog: Any, text: str) -> list[str]:
    return [r.message for r in qtlog.records if text in r.message]


def _shows_the_error_and_goes_home(shell: Shell, route: str) -> None:
    page = shell.wait_page("pageErrorPage")
    assert page.property("failedRoute") == route
    assert shell.window.property("screenReady")
    assert "没能打开" in shell.find("pageErrorTitle").property("text")
    assert "工作人员" in shell.find("pageErrorBody").property("text")
    assert shell.find("stack").property("depth") == 2, "only home and the error: no empty entry left behind"
    shell.tap("pageErrorHome")
    shell.wait_page("homePage")
    assert shell.find("stack").property("depth") == 1


@pytest.mark.qt_log_ignore(
    r'.*page "document" failed to load.*', r".*docId was marked as required but not set.*", extend=True
)
def test_a_page_that_cannot_be_created_is_reported_not_hidden(shell: Shell, qtlog: Any) -> None:
    shell.wait_page("homePage")
    shell.window.openRoute("document", {})  # DocumentPage requires docId
    _shows_the_error_and_goes_home(shell, "document")
    assert _warnings(qtlog, "docId was marked as required"), "StackView's reason is a Qt warning"
    assert _warnings(qtlog, 'page "document" failed to load'), "the route is named in a Qt warning"
    # the shell still works: the same route with what it needs opens
    shell.window.openRoute("document", {"docId": "louxing-guide-dibao"})
    shell.wait_page("documentPage")


@pytest.mark.qt_log_ignore(r'.*page "no-such-screen" failed to load: no such route.*', extend=True)
def test_an_unknown_route_is_reported_not_hidden(shell: Shell, qtlog: Any) -> None:
    shell.wait_page("homePage")
    shell.window.openRoute("no-such-screen", {})
    _shows_the_error_and_goes_home(shell, "no-such-screen")
    assert _warnings(qtlog, 'page "no-such-screen" failed to load: no such route')

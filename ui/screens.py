"""The screens ``kiosk screenshot --screen NAME`` can render, by name (extensible).

Each entry names a route of ``ui/qml/Kiosk/singletons/Routes.qml`` and how to build its properties from the
command's arguments and the mirror. Another module adds a screen with :func:`register_screen`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk import catalog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PropsBuilder = Callable[[argparse.Namespace, "Session", str], dict[str, Any]]


def _none(_args: argparse.Namespace, _s: Session, _zone: str) -> dict[str, Any]:
    return {}


def _doc(args: argparse.Namespace, session: Session, zone: str) -> dict[str, Any]:
    doc_id = args.doc or catalog.sample_document_with_attachment(session, zone) or ""
    return {"docId": doc_id}


def _doc_reading(args: argparse.Namespace, session: Session, zone: str) -> dict[str, Any]:
    return {**_doc(args, session, zone), "startReading": True}


def _category(args: argparse.Namespace, session: Session, zone: str) -> dict[str, Any]:
    code = getattr(args, "category", None) or ""
    if not code:
        cats = catalog.categories(session, "type", zone)
        best = max(cats, key=lambda c: c.count, default=None)
        code = best.code if best else ""
    cat = catalog.category(session, code)
    return {"categoryCode": code, "categoryName": cat.name if cat else ""}


def _search(args: argparse.Namespace, _s: Session, _zone: str) -> dict[str, Any]:
    return {"initialQuery": args.query if args.query is not None else "低保"}


@dataclass(frozen=True)
class Screen:
    route: str
    props: PropsBuilder = _none
    overlay: str = ""  # "attract": shown over home instead of pushed; "charfinder": over the route


SCREENS: dict[str, Screen] = {
    "home": Screen("home"),
    "category": Screen("category", _category),
    "document": Screen("document", _doc),
    "document-reading": Screen("document", _doc_reading),  # with the read-aloud controls showing
    "attachment": Screen("attachment", _doc),
    "search": Screen("search", _search),
    "apply": Screen("apply"),
    "rating": Screen("rating"),
    "attract": Screen("home", overlay="attract"),
    "wizard": Screen("wizard"),
    "status": Screen("status"),
    "staff": Screen("staff"),
    "charfinder": Screen("wizard", overlay="charfinder"),  # the rare-character finder on 钅 + 7 strokes
}


def register_screen(name: str, screen: Screen) -> None:
    SCREENS[name] = screen

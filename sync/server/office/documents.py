"""Publishing from the office's console (``/admin/office/documents``): a new document, an amendment (修订:
the server keeps the earlier version in ``doc_versions``), a repeal (已废止, naming the replacement) and a
withdrawal — the same functions as ``python -m sync.server publish|repeal|withdraw``. Zone and categories
are chosen from the district's lists; a code not in them is refused here as by the command line.
"""

import datetime as dt
import json
import secrets
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse as _HTML
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.errors import KioskError
from kiosk.mirror.models import DocStatus
from kiosk.mirror.store import DocumentRecord
from sync.protocol.wire import wire_to_record
from sync.server.admin import auth, layout
from sync.server.db import CategoryRow, FeedDoc, ZoneRow
from sync.server.errors import OfficeError, ServerRefusal
from sync.server.feed.publish import publish_records, repeal, unknown_codes, withdraw
from sync.server.office.lifecycle import CHINA
from sync.server.office.models import DocVersion

esc = layout.esc
_FIELDS = ("title", "doc_number", "issuer", "published", "effective", "body")
_LABELS = {
    "title": "标题",
    "doc_number": "文号",
    "issuer": "发布机关",
    "published": "发布日期",
    "effective": "施行日期",
    "body": "正文（Markdown）",
}


def _lists(s: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    zones = sorted(
        (
            (json.loads(d).get("sort_order") or 0, c, json.loads(d).get("name", c))
            for c, d in s.execute(select(ZoneRow.code, ZoneRow.data))
        )
    )
    cats = sorted(
        (
            (json.loads(d).get("facet", ""), json.loads(d).get("sort_order") or 0, c, json.loads(d).get("name", c))
            for c, d in s.execute(select(CategoryRow.code, CategoryRow.data))
        )
    )
    return [(c, n) for _, c, n in zones], [(f, c, n) for f, _, c, n in cats]


def _form(  # noqa: PLR0917 - the form, for a record or for what was typed
    request: Request,
    s: Session,
    action: str,
    rec: DocumentRecord | None,
    error: str = "",
    typed: dict[str, Any] | None = None,
) -> str:
    """The document form: empty, ``rec``'s fields, or (after a refusal) what was ``typed``, kept."""
    zones, cats = _lists(s)
    value = {k: (getattr(rec, k) or "") if rec else "" for k in _FIELDS}
    zone_now = rec.zone_id if rec else None
    chosen = set(rec.categories) if rec else set()
    if typed is not None:
        value = {k: str(typed.get(k) or "") for k in _FIELDS}
        zone_now = str(typed.get("zone") or "") or None
        chosen = set(typed.get("categories") or [])
    zone_opts = "<option value=''>全区（各专区均显示）</option>" + "".join(
        f"<option value='{esc(c)}'{' selected' if zone_now == c else ''}>{esc(n)}</option>" for c, n in zones
    )
    cat_boxes = "".join(
        "<label style='display:inline-block;margin-right:1em'>"
        f"<input type='checkbox' name='categories' value='{esc(c)}'"
        f"{' checked' if c in chosen else ''}> {esc(n)}</label>"
        for _f, c, n in cats
    )
    rows = []
    for k in _FIELDS:
        if k == "body":
            rows.append(
                f"<label>{_LABELS[k]}<textarea name='body' rows='10' style='width:100%'>"
                f"{esc(value[k])}</textarea></label>"
            )
        else:
            typ = "date" if k in ("published", "effective") else "text"
            req = " required" if k == "title" else ""
            rows.append(f"<label>{_LABELS[k]}<input type='{typ}' name='{k}' value='{esc(value[k])}'{req}></label>")
    typed_id = esc((typed or {}).get("id") or "")
    new_id = (
        ""
        if rec
        else f"<label>编号（留空自动生成）<input type='text' name='id' value='{typed_id}' "
        "pattern='[A-Za-z0-9._-]{1,64}'></label>"
    )
    err = f"<p class='error'>{esc(error)}</p>" if error else ""
    return (
        f"{err}<form method='post' action='{esc(action)}' class='step'>{auth.csrf_input(request)}{new_id}"
        f"<label>专区<select name='zone'>{zone_opts}</select></label><p>类别：{cat_boxes}</p>{''.join(rows)}"
        f"<button class='btn' type='submit'>{'发布修订' if rec else '发布'}</button></form>"
    )


def _record_from_form(form: dict[str, Any], base: DocumentRecord | None) -> DocumentRecord:
    fields = {k: (str(form.get(k) or "").strip() or None) for k in _FIELDS}
    if not fields["title"]:
        raise OfficeError("请填写标题")
    zone = str(form.get("zone") or "").strip() or None
    cats = tuple(dict.fromkeys(str(c) for c in form.get("categories", [])))
    changes: dict[str, Any] = {**fields, "body": fields["body"] or "", "zone_id": zone, "categories": cats}
    if base is not None:
        return replace(base, **changes)
    doc_id = str(form.get("id") or "").strip() or f"doc-{secrets.token_hex(6)}"
    return DocumentRecord(id=doc_id, title=str(fields["title"]), **{k: v for k, v in changes.items() if k != "title"})


CONFIRM = "<label><input type='checkbox' name='confirm' value='yes' required style='width:auto'> 确认{what}</label>"


def register(app: FastAPI, make_session: sessionmaker[Session]) -> None:  # noqa: PLR0915 - routes as closures
    """Add the publishing pages to ``app`` (after ``auth.install``)."""
    Office = Annotated[auth.Account, Depends(auth.require_account("office"))]
    engine = make_session.kw["bind"]

    def html(title: str, body: str, request: Request, status: int = 200) -> Response:
        return auth.admin_headers(_HTML(layout.page(title, body, request), status_code=status))

    def listing(  # noqa: PLR0917 - the page, with a refusal and what was typed when there is one
        request: Request, s: Session, q: str, error: str = "", status: int = 200, typed: dict[str, Any] | None = None
    ) -> Response:
        rows = []
        for fd in s.scalars(select(FeedDoc).order_by(FeedDoc.seq.desc()).limit(300)):
            if fd.op != "put":
                continue
            doc = json.loads(fd.payload)["doc"]
            if q and q not in doc.get("title", "") and q not in fd.id:
                continue
            status_label = DocStatus(doc.get("status", "in_force")).label
            rows.append(
                [
                    layout.Raw(f"<a href='/admin/office/documents/{esc(fd.id)}'>{esc(fd.id)}</a>"),
                    doc.get("title", ""),
                    fd.zone or "全区",
                    status_label,
                    doc.get("version", 1),
                ]
            )
            if len(rows) >= 100:
                break
        search = (
            f"<form method='get'>查找 <input type='text' name='q' value='{esc(q)}'> "
            "<button class='btn' type='submit'>查找</button></form>"
        )
        body = (
            search
            + layout.table(["编号", "标题", "专区", "状态", "版本"], rows)
            + "<h2>发布新文件</h2>"
            + _form(request, s, "/admin/office/documents", None, error, typed)
        )
        return html("发布与修订", body, request, status)

    @app.get("/admin/office/documents", response_class=_HTML, summary="Office: published documents")
    def documents(request: Request, who: Office, q: str = "") -> Response:
        with make_session() as s:
            return listing(request, s, q)

    async def _form_dict(request: Request) -> dict[str, Any]:
        form = await request.form()
        out: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        out["categories"] = [v for v in form.getlist("categories") if isinstance(v, str)]
        return out

    def _publish(s: Session, rec: DocumentRecord, actor: str) -> None:
        bad = unknown_codes(s, [(1, rec)])
        if bad:
            raise OfficeError("；".join(why for _, why in bad))
        publish_records(s, [rec], actor=actor)

    @app.post("/admin/office/documents", summary="Office: publish a new document")
    async def publish_new(request: Request, who: Office) -> Response:
        form = await _form_dict(request)
        with make_session() as s:
            try:
                rec = _record_from_form(form, None)
                if s.get(FeedDoc, rec.id) is not None:
                    raise OfficeError(f"编号 {rec.id} 已被使用：修订请打开该文件")
                _publish(s, rec, who.username)
                s.commit()
            except (KioskError, ServerRefusal, ValueError) as exc:
                s.rollback()
                return listing(request, s, "", f"未发布：{exc}", 400, form)
        return RedirectResponse(f"/admin/office/documents/{rec.id}", status_code=303)

    def _current(s: Session, doc_id: str) -> DocumentRecord | None:
        fd = s.get(FeedDoc, doc_id)
        if fd is None or fd.op != "put":
            return None
        return wire_to_record(json.loads(fd.payload)["doc"])

    def detail(  # noqa: PLR0917 - the page, with a refusal and what was typed when there is one
        request: Request,
        s: Session,
        doc_id: str,
        error: str = "",
        status: int = 200,
        typed: dict[str, Any] | None = None,
    ) -> Response:
        rec = _current(s, doc_id)
        if rec is None:
            return html("没有这份文件", f"<p>没有编号为 {esc(doc_id)} 的已发布文件（可能已撤回）。</p>", request, 404)
        versions = [
            [
                v.version,
                json.loads(v.payload)["doc"].get("title", ""),
                f"{v.replaced_at.replace(tzinfo=dt.UTC).astimezone(CHINA):%Y-%m-%d %H:%M}（北京时间）",
                v.replaced_by,
            ]
            for v in s.scalars(
                select(DocVersion).where(DocVersion.doc_id == doc_id).order_by(DocVersion.version.desc())
            )
        ]
        csrf = auth.csrf_input(request)
        body = (
            f"<p>状态：{esc(rec.status.label)}；版本 {rec.version}</p>"
            f"<h2>修订</h2>{_form(request, s, f'/admin/office/documents/{doc_id}', rec, error, typed)}"
            f"<h2>废止</h2><form method='post' action='/admin/office/documents/{esc(doc_id)}/repeal' class='step'>"
            f"{csrf}"
            "<label>替代文件编号（可空）<input type='text' name='by'></label>"
            f"{CONFIRM.format(what='废止此文件：各终端将显示“已废止”，不能恢复为现行有效')}"
            "<button class='btn' type='submit'>标记为已废止</button></form>"
            f"<h2>撤回</h2><form method='post' action='/admin/office/documents/{esc(doc_id)}/withdraw' class='step'>"
            f"{csrf}"
            "<p>撤回后各终端将删除该文件。</p>"
            f"{CONFIRM.format(what='撤回此文件：各终端将删除它')}"
            "<button class='btn' type='submit'>撤回</button></form>"
            f"<h2>历史版本</h2>{layout.table(['版本', '标题', '被替换时间', '修订人'], versions)}"
            "<p><a href='/admin/office/documents'>返回</a></p>"
        )
        return html(f"文件 {rec.title}", body, request, status)

    @app.get("/admin/office/documents/{doc_id}", response_class=_HTML, summary="Office: one document")
    def document(request: Request, who: Office, doc_id: str) -> Response:
        with make_session() as s:
            return detail(request, s, doc_id)

    @app.post("/admin/office/documents/{doc_id}", summary="Office: amend a document (修订)")
    async def amend(request: Request, who: Office, doc_id: str) -> Response:
        form = await _form_dict(request)
        with make_session() as s:
            base = _current(s, doc_id)
            if base is None:
                return detail(request, s, doc_id)
            try:
                _publish(s, _record_from_form(form, base), who.username)
                s.commit()
            except (KioskError, ServerRefusal, ValueError) as exc:
                s.rollback()
                return detail(request, s, doc_id, f"未发布：{exc}", 400, form)
        return RedirectResponse(f"/admin/office/documents/{doc_id}", status_code=303)

    @app.post("/admin/office/documents/{doc_id}/repeal", summary="Office: repeal a document (已废止)")
    async def repeal_doc(request: Request, who: Office, doc_id: str) -> Response:
        form = await request.form()
        by = str(form.get("by") or "").strip() or None
        if form.get("confirm") != "yes":
            with make_session() as s:
                return detail(request, s, doc_id, "未废止：请勾选确认", 400)
        try:
            repeal(engine, doc_id, by, actor=who.username)
        except (KioskError, ServerRefusal) as exc:
            with make_session() as s:
                return detail(request, s, doc_id, f"未废止：{exc}", 400)
        return RedirectResponse(f"/admin/office/documents/{doc_id}", status_code=303)

    @app.post("/admin/office/documents/{doc_id}/withdraw", summary="Office: withdraw a document")
    async def withdraw_doc(request: Request, who: Office, doc_id: str) -> Response:
        if (await request.form()).get("confirm") != "yes":
            with make_session() as s:
                return detail(request, s, doc_id, "未撤回：请勾选确认", 400)
        try:
            withdraw(engine, doc_id)
        except (KioskError, ServerRefusal) as exc:
            with make_session() as s:
                return detail(request, s, doc_id, f"未撤回：{exc}", 400)
        return RedirectResponse("/admin/office/documents", status_code=303)

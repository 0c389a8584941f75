"""The server's pages come from templates: no Python module under sync/server/ builds HTML in a string
(every page is a file in sync/server/templates/), the environment escapes every value, the one stylesheet
is served as a static file that the pages' Content-Security-Policy allows, and no template carries an
inline style or script the policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from adminlogin import login

from sync.server import pages

SERVER = Path(pages.__file__).resolve().parent
TAGS = (
    "html|head|body|meta|link|style|script|div|span|p|a|b|i|br|hr|table|thead|tbody|tr|td|th|form|input|"
    "select|option|textarea|button|label|ul|ol|li|dl|dt|dd|pre|code|h[1-6]|main|header|section|img|iframe"
)
# An opening or closing tag: `<div`, `<a `, `<p>`, `</td>`, `<br>` … followed by space, `>` or `/`.
TAG = re.compile(rf"</?(?:{TAGS})(?=[\s>/])", re.IGNORECASE)
LITERAL = re.compile(r"``[^`]*``")  # a docstring's literal (``<name>-<head>.sqlite.gz``) is a placeholder


def html_in(line: str) -> bool:
    return TAG.search(LITERAL.sub("", line)) is not None


# Python files allowed to contain such text, each with its reason. Nothing so far.
ALLOWED: dict[str, str] = {}


def test_no_html_in_python_under_sync_server() -> None:
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        rel = path.relative_to(SERVER).as_posix()
        if rel in ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if html_in(line):
                found.append(f"sync/server/{rel}:{n}: {line.strip()}")
    assert not found, "HTML built in Python (put it in sync/server/templates/):\n" + "\n".join(found)


def test_the_grep_sees_what_it_must() -> None:
    """The pattern catches the forms HTML takes in Python strings and leaves placeholders like <zone> alone."""
    for text in ('f"<td>{x}</td>"', "'<a href=x>'", '"<p>"', "'<form method=post'", '"<br>"', "'<html lang'"):
        assert html_in(text), text
    for text in ("``<name>-<head>.sqlite.gz``", "<bytes of the .gz>", "a < b and b > c", "own-<zone>", "<file>"):
        assert not html_in(text), text


def test_templates_escape_and_carry_no_inline_style_or_script() -> None:
    tpl = pages.templates.env.from_string("<p title='{{ v }}'>{{ v }}</p>")
    out = tpl.render(v="<script>alert('x')</script>&\"")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&#39;" in out and "&#34;" in out
    for path in sorted(pages.TEMPLATE_DIR.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<style|<script|\sstyle=|\son[a-z]+=", text, re.IGNORECASE), path.name
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, path.name


def test_stylesheet_is_a_static_file_the_csp_allows(server) -> None:
    c = login(server.url, server.engine, "li.it", ("it",))
    page = c.get("/admin/fleet")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp and "script-src" not in csp
    href = re.search(r"<link rel='stylesheet' href='([^']+)'>", page.text)
    assert href is not None and href.group(1).startswith("/static/admin.css?v=")
    assert "<style" not in page.text and " style=" not in page.text
    css = httpx.get(server.url + href.group(1))
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.text == (pages.STATIC_DIR / "admin.css").read_text(encoding="utf-8")
    public = httpx.get(f"{server.url}/status", headers={"Accept": "text/html"})
    assert public.status_code == 200 and href.group(1) in public.text and "class='public'" in public.text
    assert public.headers["content-security-policy"] == csp

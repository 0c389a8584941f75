"""The one sanitiser for text from outside that the screens show as rich text.

Document bodies arrive as Markdown or as HTML from the district (and, through a forged or careless
record, as anything at all). The screens show every other string from outside as plain text; a body
is shown formatted only after :func:`body_html` turned it into a small allow-listed HTML subset:

- tags: p, br, h1-h6, b/strong, i/em, u, sub, sup, code, pre, blockquote, ul/ol/li, hr and tables;
- no attribute at all, except ``href`` on ``a`` when it is a kiosk-internal link (``doc:ID``); any
  other link keeps only its text;
- no image, no style, no script, no URL of any kind: nothing in the result can make the renderer
  fetch anything (tested with hostile bodies against a listening loopback server).

Markdown is converted here (headings, paragraphs, lists, block quotes, rules, fenced code, pipe
tables, bold, italic, inline code, links), after escaping: raw HTML inside Markdown is shown as text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED = frozenset(
    {"p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "b", "strong", "i", "em", "u", "sub", "sup", "code", "pre"}
    | {"blockquote", "ul", "ol", "li", "hr", "table", "thead", "tbody", "tr", "th", "td", "a"}
)
VOID = frozenset({"br", "hr"})
# whose content is dropped with them (never shown as text either)
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "svg", "math", "template", "head", "title"}
)
_DOC_LINK = re.compile(r"^doc:[A-Za-z0-9._\-]{1,200}$")


class _AllowList(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self.skip += 1
            return
        if self.skip or tag not in ALLOWED:
            return
        if tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), "")
            if not _DOC_LINK.match(href.strip()):
                return  # the link's text stays, the link goes
            self.out.append(f'<a href="{html.escape(href.strip())}">')
        else:
            self.out.append(f"<{tag}>")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skip and tag in VOID:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip or tag not in self.open:
            return
        while self.open:
            last = self.open.pop()
            self.out.append(f"</{last}>")
            if last == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def clean_html(body: str) -> str:
    """``body`` reduced to the allow-listed tags, with no attributes but ``doc:`` links."""
    parser = _AllowList()
    parser.feed(body)
    return parser.result()


_INLINE_CODE = re.compile(r"`([^`]+)`")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)(?:\s+&quot;[^)]*&quot;)?\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<!\*)\*(?![\s*])(.+?)(?<![\s*])\*(?!\*)")


def _inline(text: str) -> str:
    """One line of Markdown (already HTML-escaped) with its inline marks as tags."""
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        codes.append(m.group(1))
        return f"\x00{len(codes) - 1}\x00"

    text = _INLINE_CODE.sub(keep_code, text)
    text = _IMAGE.sub(lambda m: m.group(1), text)  # an image: its description, never the picture

    def link(m: re.Match[str]) -> str:
        label, target = m.group(1), html.unescape(m.group(2))
        return f'<a href="{html.escape(target)}">{label}</a>' if _DOC_LINK.match(target) else label

    text = _LINK.sub(link, text)
    text = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", text)
    text = _ITALIC.sub(lambda m: f"<i>{m.group(1)}</i>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: f"<code>{codes[int(m.group(1))]}</code>", text)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def markdown_html(body: str) -> str:  # noqa: PLR0912, PLR0915 - one pass over the block kinds reads best
    """Markdown converted to the allow-listed subset (raw HTML in it is escaped and shown as text)."""
    lines = html.escape(body.replace("\r\n", "\n"), quote=True).split("\n")
    out: list[str] = []
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            out.append("<p>" + "<br>".join(_inline(p) for p in para) + "</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            out.append("<pre>" + "\n".join(code) + "</pre>")
        elif not stripped:
            flush()
        elif m := _HEADING.match(stripped):
            flush()
            level = len(m.group(1))
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
        elif _RULE.match(stripped):
            flush()
            out.append("<hr>")
        elif stripped.startswith("&gt;"):
            flush()
            quoted: list[str] = []
            while i < len(lines) and lines[i].strip().startswith("&gt;"):
                quoted.append(_inline(lines[i].strip()[4:].strip()))
                i += 1
            out.append("<blockquote>" + "<br>".join(quoted) + "</blockquote>")
            continue
        elif stripped.startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            flush()
            rows = ["<tr>" + "".join(f"<th>{_inline(c)}</th>" for c in _cells(stripped)) + "</tr>"]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in _cells(lines[i])) + "</tr>")
                i += 1
            out.append("<table>" + "".join(rows) + "</table>")
            continue
        elif _BULLET.match(line) or _NUMBERED.match(line):
            flush()
            tag = "ul" if _BULLET.match(line) else "ol"
            pattern = _BULLET if tag == "ul" else _NUMBERED
            items: list[str] = []
            while i < len(lines) and (m2 := pattern.match(lines[i])):
                items.append(f"<li>{_inline(m2.group(1))}</li>")
                i += 1
            out.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
            continue
        else:
            para.append(stripped)
        i += 1
    flush()
    return "".join(out)


def body_html(body: str, fmt: str) -> str:
    """A document body (``fmt`` "html" or "markdown") as the allow-listed HTML subset the reader shows."""
    return clean_html(body) if fmt == "html" else markdown_html(body)

"""Snippets and marks: the body around the matches and the title, HTML-escaped with ``<b>…</b>``."""

from __future__ import annotations

import functools
import html
import re

from pypinyin import Style, lazy_pinyin

from kiosk.search import tokenize as tk

SNIPPET_CHARS = 90


_MD_NOISE = re.compile(r"^[ \t]*(#{1,6}|>|[-*+]|\d+\.)[ \t]+|[*_`]{1,3}|!?\[([^\]]*)\]\([^)]*\)", re.M)
_TAGS = re.compile(r"<[^>]{0,500}>")
# Only the line-start markers of _MD_NOISE: what a body without * _ ` [ can hold (most bodies).
_MD_LINE_MARKERS = re.compile(r"^[ \t]*(?:#{1,6}|>|[-*+]|\d+\.)[ \t]+", re.M)
_MD_INLINE = ("*", "_", "`", "[")


def plain_text(body: str, body_format: str = "markdown") -> str:
    """The body as one line of plain text (markdown markers / HTML tags dropped)."""
    if body_format == "html":
        body = html.unescape(_TAGS.sub(" ", body))
    elif not any(c in body for c in _MD_INLINE):  # str.__contains__ is a memchr; a set would iterate
        body = _MD_LINE_MARKERS.sub("", body)
    else:
        body = _MD_NOISE.sub(lambda m: m.group(2) or "", body)
    return " ".join(body.split())


@functools.lru_cache(maxsize=1024)
def _mark_regex(marks: tuple[str, ...]) -> re.Pattern[str] | None:
    terms = sorted({m for m in marks if m}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def _marked(s: str, rx: re.Pattern[str] | None) -> str:
    if rx is None:
        return html.escape(s)
    out: list[str] = []
    pos = 0
    for m in rx.finditer(s):
        out.append(html.escape(s[pos : m.start()]))
        out.append("<b>" + html.escape(m.group(0)) + "</b>")
        pos = m.end()
    out.append(html.escape(s[pos:]))
    return "".join(out)


def snippet(
    body: str, marks: tuple[str, ...], *, body_format: str = "markdown", title: str = "", width: int = SNIPPET_CHARS
) -> str:
    """About ``width`` characters of ``body`` around the densest cluster of ``marks``, HTML-escaped
    with matches in ``<b>…</b>``; the opening text when nothing matches."""
    rx = _mark_regex(marks)
    first = rx.search(body) if rx else None
    cut_front = first is not None and first.start() > 4 * width
    if cut_front and first is not None:
        # cut the raw text near the first match before cleaning it (bodies can be long)
        body = body[first.start() - 2 * width : first.start() + 10 * width]
        title = ""
    else:
        body = body[: 12 * width]
    plain = plain_text(body, body_format)
    if title and plain.startswith(title):
        plain = plain[len(title) :].lstrip()
    starts = [m.start() for _, m in zip(range(300), rx.finditer(plain), strict=False)] if rx else []
    if not starts:
        cut = plain[:width]
        return html.escape(cut) + ("…" if len(plain) > width else "")
    best, best_n = starts[0], 0
    j = 0
    for i, st in enumerate(starts):
        while starts[j] < st - width + 20:
            j += 1
        if i - j + 1 > best_n:
            best_n, best = i - j + 1, starts[j]
    # begin at the start of the sentence/clause holding the first match when it is close
    start = max(0, best - 12)
    for k in range(best - 1, max(-1, best - 30), -1):
        if plain[k] in "。；！？;!?，,：:":
            start = k + 1
            break
    start = max(0, min(start, len(plain) - width))  # near the end: show a full window
    end = min(len(plain), start + width)
    text_ = _marked(plain[start:end], rx)
    return ("…" if start > 0 or cut_front else "") + text_ + ("…" if end < len(plain) else "")


def mark_title(title: str, marks: tuple[str, ...], pinyin: str = "") -> str:
    """The title HTML-escaped with matches in ``<b>…</b>``; with ``pinyin`` initials the characters
    whose initials spell it are marked instead when no text mark matches."""
    rx = _mark_regex(marks)
    if rx is not None and rx.search(title):
        return _marked(title, rx)
    if pinyin:
        span = _pinyin_span(title, pinyin)
        if span is not None:
            a, b = span
            return html.escape(title[:a]) + "<b>" + html.escape(title[a:b]) + "</b>" + html.escape(title[b:])
    return html.escape(title)


_TITLE_RUN = re.compile(f"([{tk.CJK_RANGES}]+)|([A-Za-z]+)")


@functools.lru_cache(maxsize=4096)
def _pinyin_span(title: str, letters: str) -> tuple[int, int] | None:
    chars: list[tuple[int, str]] = []  # (index in title, initial letter) of CJK characters/letters
    for m in _TITLE_RUN.finditer(title):
        if m.group(1):
            for k, syl in enumerate(lazy_pinyin(m.group(1), style=Style.FIRST_LETTER)):
                chars.append((m.start() + k, syl[:1]))
        else:
            chars.extend((m.start() + k, c.lower()) for k, c in enumerate(m.group(2)))
    seq = "".join(c for _, c in chars)
    k = seq.find(letters)
    if k < 0 or len(seq) != len(chars):
        return None
    return chars[k][0], chars[k + len(letters) - 1][0] + 1


_MARK_TAGS = re.compile(r"</?b>")


def strip_marks(marked: str) -> str:
    """Plain text of a ``snippet``/``title_html``: marks removed, HTML entities decoded."""
    return html.unescape(_MARK_TAGS.sub("", marked))

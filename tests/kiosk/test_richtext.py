"""kiosk.richtext: the one sanitiser. Hostile bodies lose every image, style, script and URL."""

from __future__ import annotations

import re

import pytest

from kiosk.richtext import body_html, clean_html, markdown_html

HOSTILE_HTML = [
    '<p>正文<img src="http://127.0.0.1:9/x.png">尾</p>',
    '<div style="background:url(http://127.0.0.1:9/bg.png)">背景</div>',
    '<table background="http://127.0.0.1:9/t.png"><tr><td>格</td></tr></table>',
    '<body background="http://127.0.0.1:9/b.png">体</body>',
    "<script>alert(1)</script><style>p{background:url(http://127.0.0.1:9/s.png)}</style>文字",
    '<a href="http://127.0.0.1:9/a">外链</a><a href="doc:louxing-1">内链</a>',
    '<p onclick="x()" class="c">属性</p><svg><image href="http://127.0.0.1:9/v.png"/></svg>',
    "<IMG SRC=http://127.0.0.1:9/u.png>",
    "<img src=//127.0.0.1:9/n.png><iframe src=http://127.0.0.1:9/f></iframe>",
]
HOSTILE_MD = [
    "![图](http://127.0.0.1:9/md.png) 说明",
    '<img src="http://127.0.0.1:9/raw.png"> 行内HTML',
    "[链接](http://127.0.0.1:9/l) 与 [文件](doc:abc-1)",
    '<div style="background-image:url(http://127.0.0.1:9/d.png)">块</div>',
]


def _no_url(out: str) -> None:
    tags = re.findall(r"<[^>]*>", out)
    for tag in tags:
        assert re.fullmatch(r'</?[a-z0-9]+>|<a href="doc:[A-Za-z0-9._\-]+">', tag), tag
    assert "127.0.0.1" not in " ".join(tags)


@pytest.mark.parametrize("body", HOSTILE_HTML)
def test_hostile_html_keeps_text_and_loses_every_url(body: str) -> None:
    _no_url(clean_html(body))


@pytest.mark.parametrize("body", HOSTILE_MD)
def test_hostile_markdown_keeps_text_and_loses_every_url(body: str) -> None:
    out = markdown_html(body)
    _no_url(out)


def test_raw_html_in_markdown_is_text() -> None:
    out = markdown_html('<img src="http://x/y.png"> 行内')
    assert "&lt;img" in out and "<img" not in out


def test_markdown_structure() -> None:
    out = markdown_html(
        "# 标题\n\n第一段**加粗**和*斜体*，`代码`。\n第二行\n\n## 第二章\n\n1. 甲\n2. 乙\n\n- 丙\n\n> 引用\n\n"
        "| 项目 | 标准 |\n|---|---|\n| 城市 | 760元 |\n\n---\n[文件](doc:louxing-2026-1)"
    )
    assert out.startswith("<h1>标题</h1><p>第一段<b>加粗</b>和<i>斜体</i>，<code>代码</code>。<br>第二行</p>")
    assert "<h2>第二章</h2><ol><li>甲</li><li>乙</li></ol><ul><li>丙</li></ul><blockquote>引用</blockquote>" in out
    assert "<table><tr><th>项目</th><th>标准</th></tr><tr><td>城市</td><td>760元</td></tr></table><hr>" in out
    assert out.endswith('<p><a href="doc:louxing-2026-1">文件</a></p>')


def test_html_allow_list_and_internal_links() -> None:
    out = body_html('<h2 id="x">章</h2><p>段<br/>落</p><ul><li>一</li></ul><a href="doc:d-1">看</a>', "html")
    assert out == '<h2>章</h2><p>段<br>落</p><ul><li>一</li></ul><a href="doc:d-1">看</a>'
    assert clean_html("<p>未闭合<b>粗") == "<p>未闭合<b>粗</b></p>"
    assert clean_html("a &lt;b&gt; &amp; c") == "a &lt;b&gt; &amp; c"

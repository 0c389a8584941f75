"""The Chinese words a refused content-pack line is explained in.

A pack's reasons are read by the district office's clerk (the office console), and by IT on a command line
(``python -m kiosk import``, ``python -m sync.server publish``): each names a field by its Chinese meaning
with its key beside it, as in 「标题（title）为空」, so the reader knows both what is wrong and which key
of the line to correct.
"""

from __future__ import annotations

FIELDS = {
    # documents
    "type": "行类型",
    "id": "文件编号",
    "title": "标题",
    "category": "来源分类",
    "level": "效力级别",
    "region": "地区",
    "issuer": "发文机关",
    "doc_number": "文号",
    "published": "发布日期",
    "effective": "施行日期",
    "status": "效力状态",
    "body": "正文",
    "source_path": "来源路径",
    "source_repo": "来源",
    "version": "版本号",
    "zone": "专区",
    "categories": "分类",
    "superseded_by": "替代它的文件",
    "supersedes": "它替代的文件",
    "interprets": "所解读的文件",
    "attachments": "附件",
    "public_url": "网上链接",
    "body_format": "正文格式",
    # attachments
    "name": "名称",
    "mime": "文件类型",
    "sha256": "SHA-256 校验值",
    "path": "路径",
    "data_base64": "Base64 数据",
    "size": "大小",
    # zones and categories
    "code": "代码",
    "kind": "类别",
    "prefix": "受理编号前缀",
    "address": "地址",
    "hours": "办公时间",
    "phone": "电话",
    "sort_order": "排序",
    "facet": "维度",
    "icon": "图标",
    "description": "说明",
}

# json.JSONDecodeError's messages (CPython's json.decoder and json.scanner), said in Chinese
_JSON = {
    "Expecting value": "这里应有一个值",
    "Expecting property name enclosed in double quotes": "字段名应加双引号",
    "Expecting ':' delimiter": "缺少冒号（:）",
    "Expecting ',' delimiter": "缺少逗号（,）",
    "Unterminated string starting at": "字符串没有结束的引号",
    "Invalid control character at": "字符串里有控制字符（如未转义的换行）",
    "Invalid \\escape": "无效的反斜杠转义",
    "Invalid \\uXXXX escape": "无效的 \\uXXXX 转义",
    "Extra data": "一个 JSON 对象之后还有多余内容",
    "Illegal trailing comma before end of object": "对象末尾多了逗号",
    "Illegal trailing comma before end of array": "列表末尾多了逗号",
}


def label(key: str) -> str:
    """A field as a reason names it: its Chinese meaning, then its key (「标题（title）」)."""
    word = FIELDS.get(key)
    return f"{word}（{key}）" if word else key


def json_reason(msg: str) -> str:
    """What a JSON parser's message means, in Chinese (the English message when it is not a known one)."""
    return _JSON.get(msg, msg)

#!/usr/bin/env python3
"""Build the demo district's content pack (娄星区, 娄底市, 湖南省) into ``assets/demo/``.

Deterministic: the same corpus gives byte-identical output (no clock, no random numbers; the PDFs are
written in reportlab's invariant mode). What it writes:

- ``district.jsonl``: the district zone and its eleven township/street zones, every category (content
  types, 五公开 dimensions, the 26 grassroots sectors, the folded-in platforms), and the hand-written
  district documents (demo content: document numbers, figures and phone numbers are invented).
- ``laws.jsonl``: a few hundred real laws and regulations drawn from ``shared/corpus/laws.jsonl``
  by fixed keyword rules, mapped to categories. Where the selection holds two versions of one title
  the older is marked 已修订 and points at the newer (the repository's file names date the versions).
- ``attachments/*.pdf``: two PDF attachments drawn with the bundled CJK font.

Usage::

    .venv/bin/python scripts/build_demo_pack.py            # regenerate assets/demo/
    .venv/bin/python scripts/build_demo_pack.py --check    # exit 1 if the committed files differ
"""

# ruff: noqa: E501 - the demo documents' prose keeps one paragraph per line, as Markdown reads it

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.paths import font_path  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "laws.jsonl"
OUT = ROOT / "assets" / "demo"
DEMO_NOTE = "> 演示内容：本文件为政务公开专区查询终端的演示数据，文号、数字和联系电话均为虚构，不作为办事依据。"
DISTRICT_PHONE = "0738-0000100"  # invented: Chinese local numbers never start with 0, so no one answers it

# ---------------------------------------------------------------------------------------------- zones

# (code, name, kind, prefix) — 娄星区 and eleven of its townships and streets (乡镇/街道).
ZONES: list[tuple[str, str, str, str]] = [
    ("louxing", "娄星区", "district", "LX"),
    ("leping", "乐坪街道", "street", "LP"),
    ("huashan", "花山街道", "street", "HS"),
    ("dake", "大科街道", "street", "DK"),
    ("changqing", "长青街道", "street", "CQ"),
    ("huangnitang", "黄泥塘街道", "street", "HNT"),
    ("dabuqiao", "大埠桥街道", "street", "DBQ"),
    ("lianbin", "涟滨街道", "street", "LB"),
    ("shijing", "石井镇", "township", "SJ"),
    ("wanbao", "万宝镇", "township", "WB"),
    ("shanshan", "杉山镇", "township", "SS"),
    ("shexingshan", "蛇形山镇", "township", "SXS"),
]
HOURS = "周一至周五 上午 8:30—12:00，下午 14:30—17:30（法定节假日除外）"


def zone_lines() -> list[dict[str, Any]]:
    out = []
    for i, (code, name, kind, prefix) in enumerate(ZONES):
        centre = "政务服务中心" if kind == "district" else f"{name}便民服务中心"
        out.append(
            {
                "type": "zone",
                "code": code,
                "name": name,
                "kind": kind,
                "prefix": prefix,
                "address": f"湖南省娄底市娄星区{centre}一楼政务公开专区（演示地址）",  # the centre's name holds the zone's
                "hours": HOURS,
                "phone": f"0738-0000{100 + i}",
                "sort_order": i,
            }
        )
    return out


# ------------------------------------------------------------------------------------------ categories

CONTENT_TYPES: list[tuple[str, str, str]] = [
    ("gongbao", "政府公报", "区人民政府定期编印的公报"),
    ("gongzuo-baogao", "政府工作报告", "区人民代表大会审议的政府工作报告"),
    ("xxgk-tiaoli", "政府信息公开条例", "《中华人民共和国政府信息公开条例》及本区的信息公开指南"),
    ("zhengce-wenjian", "政策文件", "区人民政府及其部门、乡镇（街道）制发的政策文件和行政法规"),
    ("zhengce-jiedu", "政策解读", "对政策文件的解读"),
    ("banshi-zhinan", "办事指南", "办理条件、所需材料、办理流程、办理时限和咨询电话"),
    ("yijianshi", "“一件事一次办”办事一本通", "一次告知、一表申请、一套材料、一窗受理的“一件事”"),
    ("bianmin-shouce", "便民服务手册", "便民服务事项、地点、时间和电话"),
    ("zhengce-huibian", "政策汇编", "与群众生产生活密切相关的法律、法规和规章"),
    ("gongshi-gonggao", "公示公告", "公示、公告和通知"),
]
DIMENSIONS: list[tuple[str, str, str]] = [
    ("juece", "决策公开", "重大决策的草案、依据、征求意见和结果"),
    ("zhixing", "执行公开", "政策措施和重点工作的落实情况"),
    ("guanli", "管理公开", "规范性文件、行政执法和监管的依据、过程和结果"),
    ("fuwu", "服务公开", "公共服务事项的清单、指南和办理结果"),
    ("jieguo", "结果公开", "政策和项目的实施结果、审计结果"),
]
# The 26 pilot areas of 基层政务公开标准化规范化 (国办发〔2017〕42号 试点方案; 国办发〔2019〕54号).
SECTORS: list[tuple[str, str]] = [
    ("chengxiang-guihua", "城乡规划"),
    ("zhongda-jianshe", "重大建设项目"),
    ("gonggong-ziyuan", "公共资源交易"),
    ("caizheng", "财政预决算"),
    ("anquan-shengchan", "安全生产"),
    ("shuishou", "税收管理"),
    ("zhengdi-buchang", "征地补偿"),
    ("fangwu-zhengshou", "国有土地上房屋征收"),
    ("weifang-gaizao", "农村危房改造"),
    ("fupin", "扶贫"),
    ("jiuzai", "救灾"),
    ("shehui-jiuzhu", "社会救助"),
    ("yanglao", "养老服务"),
    ("huji", "户籍管理"),
    ("shenong-butie", "涉农补贴"),
    ("yiwu-jiaoyu", "义务教育"),
    ("yiliao-weisheng", "医疗卫生"),
    ("huanjing-baohu", "环境保护"),
    ("gonggong-wenhua", "公共文化服务"),
    ("gonggong-falv", "公共法律服务"),
    ("jiuye", "就业"),
    ("shehui-baoxian", "社会保险"),
    ("shipin-yaopin", "食品药品监管"),
    ("chengshi-zhifa", "城市综合执法"),
    ("shizheng-fuwu", "市政服务"),
    ("baozhang-zhufang", "保障性住房"),
]
PLATFORMS: list[tuple[str, str, str]] = [
    ("yijianshi-qijiandian", "湖南省“一件事一次办”旗舰店", "“一件事一次办”事项的网上办理入口（扫码在手机上打开）"),
    ("menhu", "区门户网站", "娄星区人民政府门户网站的政务公开栏目（扫码在手机上打开）"),
    ("hulianwang-jiandu", "互联网+监督", "民生资金和项目的监督举报平台（扫码在手机上打开）"),
    ("yimenshi", "基层公共服务“一门式”", "乡镇（街道）便民服务中心“一门式”办理事项（扫码在手机上打开）"),
]


def T(code: str) -> str:
    return f"type-{code}"


def D(code: str) -> str:
    return f"dim-{code}"


def S(code: str) -> str:
    return f"sector-{code}"


def P(code: str) -> str:
    return f"platform-{code}"


def category_lines() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, (code, name, desc) in enumerate(CONTENT_TYPES):
        out.append(
            {
                "type": "category",
                "code": T(code),
                "name": name,
                "facet": "type",
                "sort_order": i,
                "icon": code,
                "description": desc,
            }
        )
    for i, (code, name, desc) in enumerate(DIMENSIONS):
        out.append(
            {
                "type": "category",
                "code": D(code),
                "name": name,
                "facet": "dimension",
                "sort_order": i,
                "description": desc,
            }
        )
    for i, (code, name) in enumerate(SECTORS):
        out.append(
            {
                "type": "category",
                "code": S(code),
                "name": name,
                "facet": "sector",
                "sort_order": i,
                "description": f"基层政务公开标准化规范化试点领域：{name}",
            }
        )
    for i, (code, name, desc) in enumerate(PLATFORMS):
        out.append(
            {
                "type": "category",
                "code": P(code),
                "name": name,
                "facet": "platform",
                "sort_order": i,
                "description": desc,
            }
        )
    return out


# --------------------------------------------------------------------------------- corpus selection

# Title keyword -> sector. A document takes every sector whose keyword its title contains.
SECTOR_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("chengxiang-guihua", ("城乡规划", "城市规划", "村庄规划")),
    ("zhongda-jianshe", ("建设工程", "建设项目")),
    ("gonggong-ziyuan", ("招标投标", "政府采购", "公共资源交易")),
    ("caizheng", ("预算", "审计", "财政")),
    ("anquan-shengchan", ("安全生产", "消防条例", "消防法", "危险化学品", "特种设备")),
    ("shuishou", ("税收", "税法", "税暂行条例", "征收管理法")),
    ("zhengdi-buchang", ("土地管理", "征地", "土地承包")),
    ("fangwu-zhengshou", ("房屋征收",)),
    ("weifang-gaizao", ("危房", "农村住房", "农村村民住宅")),
    ("fupin", ("扶贫", "乡村振兴")),
    ("jiuzai", ("救灾", "防灾", "减灾", "防汛", "自然灾害", "地震")),
    ("shehui-jiuzhu", ("社会救助", "最低生活保障", "五保", "特困", "临时救助", "流浪乞讨", "残疾人")),
    ("yanglao", ("养老", "老年人")),
    ("huji", ("户口", "户籍", "居民身份证", "居住证")),
    ("shenong-butie", ("农业机械", "农民专业合作社", "农业技术推广", "种子")),
    ("yiwu-jiaoyu", ("义务教育", "学前教育", "教育法", "学校")),
    ("yiliao-weisheng", ("医疗", "卫生", "传染病", "疫苗", "中医药", "献血", "母婴")),
    ("huanjing-baohu", ("环境保护", "污染", "生态", "固体废物", "噪声")),
    ("gonggong-wenhua", ("公共文化", "图书馆", "博物馆", "非物质文化遗产", "全民健身", "文物保护")),
    ("gonggong-falv", ("法律援助", "人民调解", "信访", "公证")),
    ("jiuye", ("就业", "劳动合同", "劳动法", "劳动保障", "工资", "职业技能", "职业教育")),
    ("shehui-baoxian", ("社会保险", "工伤", "失业保险", "医疗保障", "医疗保险")),
    ("shipin-yaopin", ("食品", "药品", "医疗器械")),
    ("chengshi-zhifa", ("城市管理", "市容", "综合执法", "违法建设")),
    ("shizheng-fuwu", ("供水", "燃气", "物业管理", "城市绿化", "公共交通", "供热", "排水", "停车")),
    ("baozhang-zhufang", ("住房", "公共租赁", "保障性")),
]
# Titles that match a rule but are of no use to a resident at a township terminal.
EXCLUDE = (
    "收容教育",
    "海洋石油",
    "军队",
    "消防救援衔",
    "渔业资源",
    "矿产资源补偿费",
    "储蓄存款利息",
    "高等教育",
    "专用品免征",
    "劳动保险条例",
    "劳动就业服务企业",
    "有毒物品",
    "煤矿",
    "医疗机构制剂",
    "医疗器械注册",
    "医疗器械生产",
    "医疗器械经营",
    "土地增值税",
    "城镇国有土地使用权",
    "解放军",
    "国境",
    "海洋",
    "淮河",
    "汶川",
    "船舶",
    "关税",
    "中央预算",
    "现役军人",
)
NATIONAL_LEVELS = ("法律", "行政法规", "部门规章")
NATIONAL_PER_SECTOR = 8  # 法律/行政法规/部门规章 per sector
LOCAL_PER_SECTOR = 8  # 地方性法规 per sector (other provinces' rules: examples of local practice)
BYTE_BUDGET = 3_000_000  # bodies of the corpus selection, UTF-8
MAX_DOC_CHARS = 7_000  # very long codes (民法典 parts, 食品安全法 …) stay out of a demo pack
XXGK_TITLE = "中华人民共和国政府信息公开条例"
# Taken whatever their length: the national texts behind the services a township centre offers.
CORE_TITLES = frozenset(
    {
        "社会救助暂行办法",
        "中华人民共和国社会保险法",
        "工伤保险条例",
        "失业保险条例",
        "中华人民共和国老年人权益保障法",
        "中华人民共和国就业促进法",
        "中华人民共和国残疾人保障法",
        "中华人民共和国义务教育法",
        "中华人民共和国法律援助法",
        "信访工作条例",
        "自然灾害救助条例",
        "中华人民共和国土地管理法实施条例",
        "国有土地上房屋征收与补偿条例",
        "中华人民共和国城乡规划法",
        "中华人民共和国基本医疗卫生与健康促进法",
        "中华人民共和国劳动合同法",
        "中华人民共和国农村土地承包法",
        "中华人民共和国公共文化服务保障法",
    }
)


def sectors_of(title: str) -> list[str]:
    return [code for code, words in SECTOR_RULES if any(w in title for w in words)]


def _candidates(docs: list[dict[str, Any]]) -> dict[str, list[tuple[dict[str, Any], list[str]]]]:
    """Documents with at least one sector, short enough, not excluded: national and local ones."""
    out: dict[str, list[tuple[dict[str, Any], list[str]]]] = {"national": [], "local": []}
    for d in docs:
        title = d["title"]
        if title == XXGK_TITLE or title in CORE_TITLES or any(x in title for x in EXCLUDE):
            continue
        secs = sectors_of(title)
        if not secs or len(d["body"]) > MAX_DOC_CHARS:
            continue
        if d["level"] in NATIONAL_LEVELS:
            out["national"].append((d, secs))
        elif d["level"] == "地方性法规":
            out["local"].append((d, secs))
    return out


def select_corpus(corpus: Path) -> list[dict[str, Any]]:
    """A few hundred resident-relevant documents, in a fixed order; the selection rule is in the code."""
    docs = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs.sort(key=lambda d: d["id"])
    chosen: list[dict[str, Any]] = []
    used = 0

    def take(d: dict[str, Any], sectors: list[str]) -> bool:
        nonlocal used
        size = len(d["body"].encode("utf-8"))
        if used + size > BYTE_BUDGET:
            return False
        used += size
        chosen.append({**d, "_sectors": sectors})
        return True

    for d in docs:  # the regulation itself, then the national texts residents ask about most
        if d["title"] == XXGK_TITLE:
            take(d, [])
    for d in docs:
        if d["title"] in CORE_TITLES:
            take(d, sectors_of(d["title"]))
    candidates = _candidates(docs)
    # Round-robin over sectors (a document counts for its first sector) so every sector gets examples
    # before any gets many: national texts first, then other provinces' local regulations.
    taken: set[str] = set()
    for kind, cap in (("national", NATIONAL_PER_SECTOR), ("local", LOCAL_PER_SECTOR)):
        per_sector: dict[str, int] = defaultdict(int)
        for rnd in range(cap):
            for d, secs in candidates[kind]:
                if d["id"] not in taken and per_sector[secs[0]] == rnd and take(d, secs):
                    taken.add(d["id"])
                    per_sector[secs[0]] += 1
    return chosen


def corpus_lines(corpus: Path) -> list[dict[str, Any]]:
    chosen = select_corpus(corpus)
    by_title: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in chosen:
        by_title[d["title"]].append(d)
    newest: dict[str, str] = {}
    for group in by_title.values():
        if len(group) > 1:
            group.sort(key=lambda d: (d.get("published") or "", d["id"]))
            for old in group[:-1]:
                newest[old["id"]] = group[-1]["id"]
    out = []
    for d in chosen:
        secs = d.pop("_sectors")
        cats = [T("zhengce-huibian")]
        if d["title"] == XXGK_TITLE:
            cats = [T("xxgk-tiaoli"), T("zhengce-wenjian"), D("guanli")]
        elif d["level"] in ("行政法规", "部门规章"):
            cats.append(T("zhengce-wenjian"))
        if d["title"] != XXGK_TITLE:
            cats.append(D("guanli"))
        cats += [S(s) for s in secs]
        line = {k: v for k, v in d.items() if k != "status"}
        line["categories"] = cats
        if d["id"] in newest:
            line["status"] = "已修订"
            line["superseded_by"] = newest[d["id"]]
        out.append(line)
    return out


# ------------------------------------------------------------------------------ district documents

DIBAO_2021 = "louxing-2021-dibao-banfa"
DIBAO_2026 = "louxing-2026-dibao-banfa"
DIBAO_JIEDU = "louxing-2026-dibao-banfa-jiedu"
LINSHI_2023 = "louxing-2023-linshi-jiuzhu"
LINSHI_2026 = "louxing-2026-linshi-jiuzhu"
DIBAO_GUIDE_PDF = "attachments/dibao-shenqing-biao.pdf"
HANDBOOK_PDF = "attachments/bianmin-fuwu-shouce.pdf"


def _doc(  # noqa: PLR0917
    doc_id: str,
    title: str,
    issuer: str,
    published: str,
    body: str,
    cats: list[str],
    **more: Any,
) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": doc_id,
        "version": 1,
        "title": title,
        "issuer": issuer,
        "published": published,
        "body": f"# {title}\n\n{body.strip()}\n\n{DEMO_NOTE}\n",
        "categories": cats,
        "source_repo": "demo",
    }
    line.update(more)
    return line


def district_documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    docs.append(
        _doc(
            DIBAO_2026,
            "娄星区城乡最低生活保障实施办法",
            "娄底市娄星区人民政府",
            "2026-03-16",
            """
娄星政发〔2026〕5号

各乡镇人民政府、街道办事处，区直有关单位：

为进一步规范城乡最低生活保障（以下简称低保）工作，根据《社会救助暂行办法》和省、市有关规定，结合本区实际，制定本办法。

## 第一章 总则

第一条 本区低保工作坚持应保尽保、按标施保、动态管理、公开公平公正的原则。

第二条 区民政局负责全区低保工作的统筹管理。乡镇人民政府（街道办事处）负责低保申请的受理、调查、评议和审核确认，村（居）民委员会协助做好有关工作。

## 第二章 保障对象和标准

第三条 共同生活的家庭成员人均收入低于当地低保标准，且家庭财产状况符合规定的，可以申请低保。

第四条 2026年本区城市低保标准为每人每月760元，农村低保标准为每人每年6000元（演示数据）。低保标准根据经济社会发展水平和物价变动情况适时调整，并向社会公布。

## 第三章 申请和审核确认

第五条 申请低保，以家庭为单位，由共同生活的家庭成员向户籍所在地或者经常居住地的乡镇人民政府（街道办事处）提出书面申请；也可以在区政务服务中心、乡镇（街道）便民服务中心或者湖南省“一件事一次办”旗舰店网上提出申请。

第六条 乡镇人民政府（街道办事处）应当自受理申请之日起30个工作日内作出审核确认决定；特殊情况下可以延长至45个工作日。

第七条 审核确认结果在申请人所在村（居）务公开栏公示，公示期为7天。公示内容不得包含与低保无关的个人信息。

## 第四章 管理和监督

第八条 对获得低保的家庭实行分类动态管理，定期核查家庭人口、收入和财产变化情况。

第九条 任何单位和个人可以通过区民政局监督电话、“互联网+监督”平台对低保工作进行监督、举报。

## 第五章 附则

第十条 本办法自2026年4月1日起施行。《娄星区城乡最低生活保障实施办法》（娄星政发〔2021〕12号）同时废止。

娄底市娄星区人民政府
2026年3月16日
""",
            [T("zhengce-wenjian"), D("juece"), S("shehui-jiuzhu")],
            doc_number="娄星政发〔2026〕5号",
            effective="2026-04-01",
            supersedes=DIBAO_2021,
        )
    )
    docs.append(
        _doc(
            DIBAO_2021,
            "娄星区城乡最低生活保障实施办法",
            "娄底市娄星区人民政府",
            "2021-05-20",
            """
娄星政发〔2021〕12号

（本文件已被《娄星区城乡最低生活保障实施办法》（娄星政发〔2026〕5号）废止，自2026年4月1日起不再执行，仅供查阅。）

第一条 为规范城乡最低生活保障工作，根据《社会救助暂行办法》，结合本区实际，制定本办法。

第二条 2021年本区城市低保标准为每人每月600元，农村低保标准为每人每年4800元（演示数据）。

第三条 申请低保由申请人向户籍所在地乡镇人民政府（街道办事处）提出，乡镇人民政府（街道办事处）自受理之日起30个工作日内完成审核，报区民政局审批。

第四条 本办法自2021年6月1日起施行。
""",
            [T("zhengce-wenjian"), D("juece"), S("shehui-jiuzhu")],
            doc_number="娄星政发〔2021〕12号",
            effective="2021-06-01",
            status="已废止",
            superseded_by=DIBAO_2026,
        )
    )
    docs.append(
        _doc(
            DIBAO_JIEDU,
            "《娄星区城乡最低生活保障实施办法》政策解读",
            "娄底市娄星区民政局",
            "2026-03-18",
            """
## 一、为什么要出台新办法？

原办法于2021年施行。几年来，省、市对低保审核确认权限下放、“一件事一次办”等提出了新要求，低保标准也多次调整。为此，区人民政府制定了新办法，原办法同时废止。

## 二、新办法主要有哪些变化？

1. **审核确认权限下放。** 低保由乡镇人民政府（街道办事处）直接审核确认，不再报区民政局审批，群众办事少跑路。
2. **标准提高。** 城市低保标准由每人每月600元提高到760元，农村低保标准由每人每年4800元提高到6000元（演示数据）。
3. **申请渠道增加。** 除乡镇（街道）便民服务中心外，还可以在区政务服务中心或湖南省“一件事一次办”旗舰店网上申请。
4. **公示保护隐私。** 公示只列与低保有关的信息，不公开身份证号码、电话等个人信息。

## 三、哪些人可以申请？

共同生活的家庭成员人均收入低于低保标准、家庭财产状况符合规定的家庭，都可以申请。

## 四、到哪里咨询？

可以到户籍所在地或经常居住地乡镇（街道）便民服务中心咨询，也可以拨打区民政局咨询电话 0738-0000100（演示号码）。
""",
            [T("zhengce-jiedu"), D("juece"), S("shehui-jiuzhu")],
            interprets=DIBAO_2026,
        )
    )
    docs.append(
        _doc(
            "louxing-guide-dibao",
            "最低生活保障申请办事指南",
            "娄底市娄星区民政局",
            "2026-04-01",
            """
## 一、事项名称

最低生活保障审核确认

## 二、办理依据

1. 《社会救助暂行办法》（国务院令第649号）；
2. 《娄星区城乡最低生活保障实施办法》（娄星政发〔2026〕5号）。

## 三、办理条件

同时符合下列条件的家庭可以申请：

1. 申请人具有本区户籍，或者持有本区居住证并在本区连续居住满一年；
2. 共同生活的家庭成员人均月收入低于本区低保标准（城市每人每月760元，农村每人每年6000元，演示数据）；
3. 家庭财产状况符合本区规定。

## 四、所需材料

1. 《最低生活保障申请表》（可在终端上打印空白表，或到便民服务中心领取）；
2. 家庭成员的居民身份证、户口簿（查验原件）；
3. 家庭收入情况的书面声明；
4. 授权核对家庭经济状况的书面授权书；
5. 残疾、患病等特殊情况的证明材料（有则提供）。

## 五、办理流程

1. **申请**：向户籍所在地或经常居住地的乡镇（街道）便民服务中心提出申请，也可以网上申请；
2. **受理**：材料齐全的当场受理，材料不全的一次性告知需补正的全部内容；
3. **调查核实**：乡镇（街道）组织入户调查，并通过信息系统核对家庭经济状况；
4. **审核确认**：乡镇（街道）作出审核确认决定，并在村（居）务公开栏公示7天；
5. **发放**：自批准之月起按月发放低保金。不予批准的，书面告知理由。

## 六、办理时限

自受理之日起30个工作日内办结；特殊情况可延长至45个工作日。

## 七、收费标准

不收费。

## 八、办理地点和时间

各乡镇（街道）便民服务中心，周一至周五 上午 8:30—12:00，下午 14:30—17:30（法定节假日除外）。

## 九、咨询电话

区民政局社会救助股 0738-0000100（演示号码）；各乡镇（街道）便民服务中心电话见《便民服务手册》。

## 十、监督电话

0738-0000199（演示号码）；也可通过“互联网+监督”平台反映。
""",
            [T("banshi-zhinan"), D("fuwu"), S("shehui-jiuzhu")],
            attachments=[
                {"name": "最低生活保障申请表（空白）.pdf", "path": DIBAO_GUIDE_PDF, "mime": "application/pdf"}
            ],
        )
    )
    docs.append(
        _doc(
            "louxing-2026q3-dibao-gongshi",
            "娄星区民政局关于2026年第三季度城乡最低生活保障资金发放情况的公示",
            "娄底市娄星区民政局",
            "2026-10-15",
            """
根据《社会救助暂行办法》和《娄星区城乡最低生活保障实施办法》，现将本区2026年第三季度城乡低保资金发放情况公示如下（演示数据）：

| 乡镇（街道） | 城市低保户数 | 农村低保户数 | 发放金额（万元） |
|---|---:|---:|---:|
| 乐坪街道 | 312 | 0 | 58.6 |
| 花山街道 | 286 | 41 | 61.2 |
| 大科街道 | 254 | 63 | 57.9 |
| 黄泥塘街道 | 198 | 52 | 45.3 |
| 万宝镇 | 37 | 402 | 66.8 |
| 杉山镇 | 21 | 377 | 58.1 |
| 合计（含其他乡镇街道） | 1856 | 1734 | 598.4 |

公示期为2026年10月15日至10月21日。对公示内容有异议的，可在公示期内向区民政局反映。

反映电话：0738-0000100（演示号码）

娄底市娄星区民政局
2026年10月15日
""",
            [T("gongshi-gonggao"), D("jieguo"), S("shehui-jiuzhu")],
        )
    )
    docs.append(
        _doc(
            LINSHI_2023,
            "娄星区困难群众临时救助实施细则",
            "娄底市娄星区民政局",
            "2023-02-10",
            """
娄星民发〔2023〕4号

（本细则已于2026年修订，现行规定见《娄星区困难群众临时救助实施细则（2026年修订）》。）

第一条 对遭遇突发事件、意外伤害、重大疾病等导致基本生活暂时出现严重困难的家庭或个人，给予临时救助。

第二条 临时救助金额一般不超过本区城市月低保标准的6倍（演示数据）。

第三条 本细则自2023年3月1日起施行。
""",
            [T("zhengce-wenjian"), D("zhixing"), S("shehui-jiuzhu")],
            doc_number="娄星民发〔2023〕4号",
            effective="2023-03-01",
            status="已修订",
            superseded_by=LINSHI_2026,
        )
    )
    docs.append(
        _doc(
            LINSHI_2026,
            "娄星区困难群众临时救助实施细则（2026年修订）",
            "娄底市娄星区民政局",
            "2026-06-20",
            """
娄星民发〔2026〕9号

第一条 对遭遇突发事件、意外伤害、重大疾病或者其他特殊原因导致基本生活陷入困境的家庭或个人，给予临时救助。

第二条 临时救助金额一般不超过本区城市月低保标准的8倍；情况特别严重的，经区民政局审批可适当提高（演示数据）。

第三条 对急难情形，乡镇人民政府（街道办事处）可以先行救助，事后补齐手续。

第四条 申请人可以向户籍所在地或经常居住地乡镇（街道）便民服务中心申请，也可以在湖南省“一件事一次办”旗舰店网上申请。

第五条 本细则自2026年7月1日起施行。
""",
            [T("zhengce-wenjian"), D("zhixing"), S("shehui-jiuzhu")],
            doc_number="娄星民发〔2026〕9号",
            effective="2026-07-01",
            supersedes=LINSHI_2023,
        )
    )
    docs.append(
        _doc(
            "louxing-2026-linshi-jiuzhu-jiedu",
            "《娄星区困难群众临时救助实施细则（2026年修订）》解读",
            "娄底市娄星区民政局",
            "2026-06-25",
            """
## 一、修订的背景是什么？

原细则于2023年施行。为更好发挥临时救助“救急难”作用，区民政局对细则进行了修订，修订后的细则自2026年7月1日起施行。

## 二、主要修改了哪些内容？

1. **提高救助额度。** 临时救助金额上限由城市月低保标准的6倍提高到8倍；情况特别严重的，经区民政局审批可适当提高（演示数据）。
2. **明确先行救助。** 对急难情形，乡镇人民政府（街道办事处）可以先行救助，事后补齐手续，不让群众因手续耽误救助。
3. **增加网上申请。** 可以在湖南省“一件事一次办”旗舰店网上申请。

## 三、怎么申请？

向户籍所在地或经常居住地的乡镇（街道）便民服务中心申请，办理条件和所需材料见《临时救助申请办事指南》。
""",
            [T("zhengce-jiedu"), D("zhixing"), S("shehui-jiuzhu")],
            interprets=LINSHI_2026,
        )
    )
    docs.append(
        _doc(
            "louxing-guide-linshi-jiuzhu",
            "临时救助申请办事指南",
            "娄底市娄星区民政局",
            "2026-07-01",
            """
## 一、事项名称

临时救助

## 二、办理依据

1. 《社会救助暂行办法》（国务院令第649号）第四十七条至第五十条；
2. 《娄星区困难群众临时救助实施细则（2026年修订）》（娄星民发〔2026〕9号）。

## 三、办理条件

因火灾、交通事故等意外事件，家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或个人。

## 四、所需材料

1. 临时救助申请书；
2. 申请人居民身份证、户口簿（查验原件）；
3. 遭遇困难的证明材料（如医疗费用票据、事故证明等）。

## 五、办理流程

申请 → 受理 → 审核（入户调查）→ 审批 → 发放。急难情形可先行救助、事后补齐手续。

## 六、办理时限

一般情形自受理之日起15个工作日内办结；急难情形24小时内先行救助（演示数据）。

## 七、收费标准

不收费。

## 八、咨询电话

区民政局社会救助股 0738-0000100（演示号码）
""",
            [T("banshi-zhinan"), D("fuwu"), S("shehui-jiuzhu")],
        )
    )
    docs.append(
        _doc(
            "louxing-2026-gengdi-butie-gongshi",
            "娄星区2026年耕地地力保护补贴发放情况的公示",
            "娄底市娄星区农业农村局",
            "2026-07-20",
            """
根据省、市有关规定，现将本区2026年耕地地力保护补贴发放情况公示如下（演示数据，按乡镇汇总，不含个人信息）：

| 乡镇（街道） | 补贴面积（亩） | 补贴户数 | 补贴金额（万元） |
|---|---:|---:|---:|
| 万宝镇 | 41,200 | 6,830 | 432.6 |
| 杉山镇 | 38,650 | 6,215 | 405.8 |
| 蛇形山镇 | 35,980 | 5,902 | 377.8 |
| 石井镇 | 29,740 | 4,877 | 312.3 |
| 其他街道 | 8,310 | 1,436 | 87.3 |
| 合计 | 153,880 | 25,260 | 1,615.8 |

补贴标准为每亩105元（演示数据），资金已通过惠民惠农财政补贴资金“一卡通”直接发放到户。农户可通过“互联网+监督”平台查询本人补贴发放情况。

公示期为2026年7月20日至7月26日。对公示内容有异议的，请向所在乡镇人民政府或区农业农村局反映，电话 0738-0000100（演示号码）。

娄底市娄星区农业农村局
2026年7月20日
""",
            [T("gongshi-gonggao"), D("jieguo"), S("shenong-butie"), P("hulianwang-jiandu")],
        )
    )
    docs.append(
        _doc(
            "wanbao-2026-yibao-jiaofei",
            "万宝镇关于做好2027年度城乡居民基本医疗保险集中参保缴费工作的通知",
            "娄星区万宝镇人民政府",
            "2026-09-05",
            """
各村（社区）：

2027年度城乡居民基本医疗保险（以下简称居民医保）集中参保缴费工作已经开始，现将有关事项通知如下：

一、**缴费时间**：2026年9月10日至12月31日。

二、**缴费标准**：个人缴费每人每年400元（演示数据）。特困人员、低保对象等按规定享受参保资助。

三、**缴费方式**：可通过湖南税务缴费小程序、银行网点缴纳，也可到镇便民服务中心或村（社区）代办点办理。

四、**有关要求**：各村（社区）要做好宣传，帮助老年人、残疾人等群体完成参保缴费，不得代收现金。

咨询电话：万宝镇便民服务中心 0738-0000109（演示号码）

娄星区万宝镇人民政府
2026年9月5日
""",
            [T("gongshi-gonggao"), D("fuwu"), S("shehui-baoxian"), S("yiliao-weisheng")],
            zone="wanbao",
        )
    )
    docs.append(
        _doc(
            "huangnitang-2026-laojiu-xiaoqu",
            "黄泥塘街道关于辖区老旧小区改造项目施工的公告",
            "娄星区黄泥塘街道办事处",
            "2026-08-12",
            """
辖区各位居民：

根据区2026年城镇老旧小区改造计划，我街道辖区内部分小区将进行雨污分流、管网更新和道路修缮施工（演示内容）。现将有关事项公告如下：

一、**施工时间**：2026年8月20日至11月30日，每日7:00—12:00、14:00—20:00，中午和夜间不施工。

二、**施工范围**：辖区内列入改造计划的老旧小区，具体小区名单在各社区公开栏张贴。

三、**注意事项**：施工期间部分路段临时封闭，请居民注意绕行；停水停电将提前24小时通知。

四、**意见反映**：施工中有问题的，可拨打街道城管办电话 0738-0000105（演示号码）。

给大家带来的不便，敬请谅解。

娄星区黄泥塘街道办事处
2026年8月12日
""",
            [T("gongshi-gonggao"), D("zhixing"), S("shizheng-fuwu"), S("zhongda-jianshe")],
            zone="huangnitang",
        )
    )
    docs.append(
        _doc(
            "louxing-2026-zhengfu-gongzuo-baogao",
            "2026年娄星区人民政府工作报告（摘要）",
            "娄底市娄星区人民政府",
            "2026-01-20",
            """
——2026年1月在娄星区第五届人民代表大会第六次会议上（演示内容）

各位代表：

现在，我代表区人民政府，向大会报告工作，请予审议。

## 一、2025年工作回顾

过去一年，我们坚持以人民为中心的发展思想，着力保障和改善民生。全年民生支出占一般公共预算支出的七成以上；新增城镇就业5200人；完成城镇老旧小区改造46个；发放城乡低保金2300余万元（演示数据）。

政务公开和政务服务持续深化。全区12个政务公开专区全部建成，“一件事一次办”事项拓展到100项以上，基层政务公开标准目录覆盖26个领域。

## 二、2026年工作安排

1. **兜牢民生底线。** 提高城乡低保标准，完善临时救助制度，推进低保审核确认权限下放。
2. **办好民生实事。** 继续实施老旧小区改造，新建一批社区养老服务设施。
3. **建设法治政府。** 全面推进决策、执行、管理、服务、结果公开，推动政务公开专区向乡镇（街道）延伸。

各位代表，让我们凝心聚力、实干担当，为建设更加美好的娄星而努力奋斗！
""",
            [T("gongzuo-baogao"), D("juece"), D("jieguo"), S("caizheng")],
        )
    )
    docs.append(
        _doc(
            "louxing-gongbao-2026-03",
            "娄底市娄星区人民政府公报（2026年第3期）目录",
            "娄底市娄星区人民政府办公室",
            "2026-09-30",
            """
## 区政府文件

- 娄星区城乡最低生活保障实施办法（娄星政发〔2026〕5号）

## 区政府办公室文件

- 娄星区2026年城镇老旧小区改造工作方案（演示条目）

## 部门文件

- 娄星区困难群众临时救助实施细则（2026年修订）（娄星民发〔2026〕9号）

## 政策解读

- 《娄星区城乡最低生活保障实施办法》政策解读

本公报免费赠阅，可在各政务公开专区查阅和打印。
""",
            [T("gongbao"), D("zhixing")],
        )
    )
    docs.append(
        _doc(
            "louxing-xxgk-zhinan",
            "娄星区人民政府信息公开指南",
            "娄底市娄星区人民政府办公室",
            "2026-01-10",
            """
根据《中华人民共和国政府信息公开条例》（以下简称《条例》），为便于公民、法人和其他组织获取政府信息，编制本指南。

## 一、主动公开

区人民政府及其部门主动公开的政府信息，通过区门户网站、政府公报、政务公开专区查询终端等渠道公开。

## 二、依申请公开

1. **申请方式**：可以在政务公开专区查询终端上填写申请，当场打印回执；也可以当面、邮寄或网上提交申请。
2. **申请内容**：申请人的姓名或者名称、身份证明、联系方式；申请公开的政府信息的名称、文号或者便于查询的其他特征性描述；申请公开的政府信息的形式要求（《条例》第二十九条）。
3. **答复期限**：能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内答复；需要延长的，延长期限最长不超过20个工作日（《条例》第三十三条）。
4. **收费**：依申请提供政府信息，不收取费用；申请数量、频次明显超过合理范围的，可以按规定收取信息处理费。

## 三、监督和救济

认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。

区政务公开办公室电话：0738-0000100（演示号码）
""",
            [T("xxgk-tiaoli"), T("banshi-zhinan"), D("fuwu"), S("gonggong-falv")],
        )
    )
    docs.append(
        _doc(
            "louxing-yijianshi-xinshenger",
            "“新生儿出生一件事”一次办办事指南",
            "娄底市娄星区行政审批服务局",
            "2026-05-08",
            """
## 一、事项范围

新生儿出生后，父母可以一次申请、一次提交材料，同时办理以下事项：出生医学证明、预防接种证、户口登记、城乡居民基本医疗保险参保登记、社会保障卡申领。

## 二、办理条件

新生儿在本区出生，或者父母一方具有本区户籍。

## 三、所需材料

1. 父母双方居民身份证；
2. 户口簿；
3. 结婚证（有则提供）；
4. 《“新生儿出生一件事”联办申请表》。

## 四、办理方式

1. **网上办**：在湖南省“一件事一次办”旗舰店搜索“新生儿出生一件事”，按提示填写、上传材料。扫描本页二维码可在手机上打开。
2. **窗口办**：区政务服务中心或乡镇（街道）便民服务中心“一件事一次办”综合窗口。

## 五、办理时限

材料齐全的，5个工作日内办结，证照邮寄到家（演示数据）。

## 六、收费标准

不收费。

## 七、咨询电话

区政务服务中心 0738-0000100（演示号码）
""",
            [
                T("yijianshi"),
                T("banshi-zhinan"),
                D("fuwu"),
                S("huji"),
                S("shehui-baoxian"),
                S("yiliao-weisheng"),
                P("yijianshi-qijiandian"),
            ],
            public_url="https://yijianshi.demo.invalid/louxing/xinshenger-chusheng",
        )
    )
    docs.append(
        _doc(
            "louxing-bianmin-shouce-2026",
            "娄星区便民服务手册（2026年版）",
            "娄底市娄星区行政审批服务局",
            "2026-02-28",
            """
本手册汇集了区政务服务中心和各乡镇（街道）便民服务中心的地址、办公时间和咨询电话，以及常办事项的办理地点。完整手册见附件，可在本终端打印。

## 常办事项在哪里办

| 事项 | 办理地点 |
|---|---|
| 最低生活保障、临时救助 | 乡镇（街道）便民服务中心社会救助窗口 |
| 城乡居民医保参保缴费 | 乡镇（街道）便民服务中心、村（社区）代办点 |
| 户口迁移、居民身份证 | 辖区派出所户籍窗口 |
| 政府信息公开申请 | 各政务公开专区查询终端或窗口 |
| 新生儿出生“一件事” | 区政务服务中心“一件事一次办”综合窗口 |

## 各中心联系方式

见附件《便民服务手册》。
""",
            [T("bianmin-shouce"), D("fuwu"), P("yimenshi")],
            attachments=[
                {"name": "娄星区便民服务手册（2026年版）.pdf", "path": HANDBOOK_PDF, "mime": "application/pdf"}
            ],
        )
    )
    docs.append(
        _doc(
            "louxing-platform-yimenshi",
            "基层公共服务“一门式”办理事项清单（乡镇街道）",
            "娄底市娄星区行政审批服务局",
            "2026-03-01",
            """
乡镇（街道）便民服务中心实行“一门式”办理：一个窗口受理、一次告知、限时办结。可在乡镇（街道）办理的主要事项：

1. 最低生活保障、特困人员供养、临时救助申请；
2. 城乡居民基本养老保险、基本医疗保险参保登记；
3. 残疾人两项补贴申请；
4. 高龄津贴申请；
5. 就业失业登记；
6. 农村危房改造申请；
7. 耕地地力保护补贴等涉农补贴信息查询。

扫描本页二维码，可在手机上查看完整清单和网上办理入口。
""",
            [T("bianmin-shouce"), D("fuwu"), P("yimenshi"), S("shehui-jiuzhu"), S("shenong-butie"), S("jiuye")],
            public_url="https://yimenshi.demo.invalid/louxing/shixiang-qingdan",
        )
    )
    docs.append(
        _doc(
            "louxing-platform-jiandu",
            "“互联网+监督”平台使用说明",
            "娄底市娄星区纪委监委（演示）",
            "2026-03-01",
            """
“互联网+监督”平台公开惠民惠农资金发放、民生项目等信息，群众可以查询本人和本村（社区）的资金发放情况，发现问题可以在线反映。

## 怎么用

1. 扫描本页二维码，在手机上打开平台；
2. 选择所在乡镇（街道）和村（社区），查看公开的资金和项目信息；
3. 发现问题，点击“我要反映”，如实填写情况。

反映问题受法律保护，请实事求是，不得捏造事实。
""",
            [T("gongshi-gonggao"), D("jieguo"), P("hulianwang-jiandu"), S("fupin"), S("shenong-butie")],
            public_url="https://jiandu.demo.invalid/louxing",
        )
    )
    docs.append(
        _doc(
            "louxing-platform-menhu",
            "娄星区人民政府门户网站政务公开栏目导览",
            "娄底市娄星区人民政府办公室",
            "2026-03-01",
            """
区门户网站“政务公开”栏目设有：政府信息公开指南、政府信息公开制度、法定主动公开内容、政府信息公开年报和基层政务公开标准目录（26个领域）。

本终端收录的文件与门户网站同步更新。需要在手机上查看或转发时，扫描本页二维码打开门户网站。
""",
            [T("xxgk-tiaoli"), D("guanli"), P("menhu")],
            public_url="https://menhu.demo.invalid/louxing/zwgk",
        )
    )
    return docs


# ----------------------------------------------------------------------------------------- PDFs


def _pdf(draw: Any) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    for weight in ("Regular", "Bold"):
        name = f"NotoSansSC-{weight}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(font_path(weight))))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True, pageCompression=1, initialFontName="NotoSansSC-Regular")
    c.setTitle("演示文件")
    c.setAuthor("娄星区政务公开专区（演示）")
    draw(c, A4)
    c.save()
    return buf.getvalue()


def dibao_form_pdf() -> bytes:
    def draw(c: Any, size: tuple[float, float]) -> None:
        w, h = size
        c.setFont("NotoSansSC-Bold", 18)
        c.drawCentredString(w / 2, h - 70, "最低生活保障申请表")
        c.setFont("NotoSansSC-Regular", 10)
        c.drawCentredString(w / 2, h - 90, "娄底市娄星区（演示表格）")
        rows = [
            "申请人姓名",
            "公民身份号码",
            "户籍地址",
            "现居住地址",
            "联系电话",
            "家庭人口数",
            "家庭月总收入（元）",
            "申请理由",
            "家庭成员情况",
            "申请人签字（手印）及日期",
            "村（居）委会意见",
            "乡镇（街道）审核确认意见",
        ]
        top, left, right, label_w = h - 120, 60, w - 60, 150
        heights = [28] * 7 + [90, 110, 40, 60, 60]
        y = top
        c.setLineWidth(0.8)
        for label, rh in zip(rows, heights, strict=True):
            c.rect(left, y - rh, right - left, rh)
            c.line(left + label_w, y, left + label_w, y - rh)
            c.setFont("NotoSansSC-Regular", 11)
            c.drawString(left + 8, y - 18, label)
            y -= rh
        c.setFont("NotoSansSC-Regular", 9)
        c.drawString(left, y - 20, "填表说明：本表一式两份；所填内容须真实，虚报、隐瞒的依法处理。")
        c.drawString(left, y - 34, "演示内容：本表为查询终端演示数据。")

    return _pdf(draw)


def handbook_pdf() -> bytes:
    def draw(c: Any, size: tuple[float, float]) -> None:
        w, h = size
        c.setFont("NotoSansSC-Bold", 18)
        c.drawCentredString(w / 2, h - 70, "娄星区便民服务手册（2026年版）")
        c.setFont("NotoSansSC-Regular", 10)
        c.drawCentredString(w / 2, h - 90, "演示内容：地址和电话均为虚构")
        y = h - 130
        for z in zone_lines():
            c.setFont("NotoSansSC-Bold", 12)
            c.drawString(60, y, z["name"])
            c.setFont("NotoSansSC-Regular", 9.5)
            c.drawString(72, y - 15, f"地址：{z['address']}")
            c.drawString(72, y - 29, f"时间：{z['hours']}")
            c.drawString(72, y - 43, f"电话：{z['phone']}")
            y -= 58
            if y < 80:
                c.showPage()
                y = h - 70

    return _pdf(draw)


# ----------------------------------------------------------------------------------------- output


def render(corpus: Path) -> dict[str, bytes]:
    """Every output file (path relative to assets/demo -> bytes)."""

    def jsonl(lines: list[dict[str, Any]]) -> bytes:
        return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8")

    return {
        "district.jsonl": jsonl(zone_lines() + category_lines() + district_documents()),
        "laws.jsonl": jsonl(corpus_lines(corpus)),
        DIBAO_GUIDE_PDF: dibao_form_pdf(),
        HANDBOOK_PDF: handbook_pdf(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing")
    args = ap.parse_args(argv)
    files = render(args.corpus)
    if args.check:
        stale = [n for n, data in files.items() if not (args.out / n).is_file() or (args.out / n).read_bytes() != data]
        for n in stale:
            print(f"build_demo_pack: {args.out / n} is not what the script builds", file=sys.stderr)
        return 1 if stale else 0
    for name, data in files.items():
        p = args.out / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

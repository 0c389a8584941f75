"""A realistic large mirror for the search benchmark, cut from the real text of the shared corpus.

The shared corpus holds 2,970 laws and regulations (17 million characters). A district's mirror holds
mostly short government documents: notices, announcements, service guides, policy interpretations.
:func:`generate` turns the corpus into ``n`` such documents, deterministically (fixed seed):

- **body**: consecutive paragraphs of one corpus document starting at a random paragraph, until a
  size drawn from a log-normal distribution is reached — median 3 KB of UTF-8 (about 1,000 Chinese
  characters), clipped to 0.6–40 KB, so most documents are 1–10 KB as government documents are, with
  a tail of long ones (a quarter above 5 KB, a few percent above 10 KB).
- **title**: a government-notice pattern (关于印发《…》的通知, …办事指南, 关于…的公告, …政策解读, …)
  around a topic taken from a real corpus title (条例/办法/规定 stripped) or from the district's
  service vocabulary (最低生活保障, 住房公积金, 医疗保障, …), so resident words have something to find.
- **issuer** and **文号**: district bureaus and township governments of the demo district, about 60 %
  with a 文号 such as 娄民发〔2023〕12号.
- **zone**: 40 % district-wide, the rest spread over the demo district's township/street zones;
  **categories**: one content type, one 五公开 dimension, zero to two of the 26 sectors;
  **status**: 85 % in force, 10 % amended, 5 % repealed; **published**: 2005–2026.

The output is a content pack (JSON Lines) that ``kiosk import`` reads: the demo district's zone and
category lines first, then the documents.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEED = 20261127

SERVICE_TOPICS = (
    "最低生活保障",
    "城乡居民基本医疗保险",
    "医疗保障",
    "住房公积金",
    "户口登记",
    "居民身份证",
    "基本养老金",
    "社会保险",
    "特困人员救助供养",
    "临时救助",
    "残疾人两项补贴",
    "高龄津贴",
    "公共租赁住房",
    "农村危房改造",
    "义务教育入学",
    "就业创业补贴",
    "失业保险金",
    "工伤保险",
    "生育保险",
    "医疗救助",
    "退役军人优待",
    "养犬管理",
    "生活垃圾分类",
    "电动自行车管理",
    "违法建设治理",
    "政府信息公开",
    "耕地地力保护补贴",
    "房屋征收补偿",
    "征地补偿",
    "安全生产",
    "食品安全",
    "疫苗接种",
    "老年人优待证",
    "居住证",
    "个体工商户登记",
    "营业执照办理",
)
PATTERNS = (
    "关于印发《{t}实施办法》的通知",
    "关于做好{y}年{t}工作的通知",
    "{t}办事指南",
    "关于{t}的公告",
    "《{t}实施办法》政策解读",
    "关于调整{t}标准的通知",
    "{z}{t}公示",
    "关于进一步加强{t}工作的实施意见",
    "{y}年{t}工作总结",
    "关于开展{t}专项行动的通知",
    "{t}服务指南",
    "关于公布{t}事项清单的通知",
)
ISSUERS = (
    ("娄星区人民政府", "娄政发"),
    ("娄星区人民政府办公室", "娄政办发"),
    ("娄星区民政局", "娄民发"),
    ("娄星区人力资源和社会保障局", "娄人社发"),
    ("娄星区医疗保障局", "娄医保发"),
    ("娄星区住房和城乡建设局", "娄住建发"),
    ("娄星区教育局", "娄教发"),
    ("娄星区卫生健康局", "娄卫发"),
    ("娄星区财政局", "娄财发"),
    ("娄星区自然资源局", "娄自然资发"),
    ("娄星区农业农村局", "娄农发"),
    ("娄星区退役军人事务局", "娄退役发"),
    ("娄底市公安局娄星分局", "娄公发"),
)
_TITLE_SUFFIX = re.compile(r"(实施细则|实施办法|暂行办法|暂行规定|若干规定|办法|条例|规定|决定|规则|细则|通知|意见)$")
_TITLE_PREFIX = re.compile(r"^(中华人民共和国|最高人民法院|最高人民检察院|国务院)(关于)?")


@dataclass(frozen=True)
class District:
    zones: list[dict[str, Any]]  # the demo district's zone lines
    categories: list[dict[str, Any]]  # its category lines


def load_district(path: Path) -> District:
    zones: list[dict[str, Any]] = []
    cats: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if obj.get("type") == "zone":
            zones.append(obj)
        elif obj.get("type") == "category":
            cats.append(obj)
    return District(zones, cats)


def _paragraphs(corpus: Path) -> tuple[list[list[str]], list[str]]:
    docs: list[list[str]] = []
    topics: list[str] = []
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            paras = [p.strip() for p in obj["body"].split("\n") if p.strip() and not p.startswith("#")]
            if len(paras) >= 3:
                docs.append(paras)
            t = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", obj["title"]))
            if 2 <= len(t) <= 16:
                topics.append(t)
    return docs, topics


def _size(rng: random.Random) -> int:
    """Body size in UTF-8 bytes: log-normal, median 3 KB, clipped to 0.6–40 KB."""
    return int(min(40_000, max(600, rng.lognormvariate(math.log(3000), 0.75))))


def generate(corpus: Path, district: District, n: int, *, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """``n`` document objects in the content-pack format (deterministic for a seed)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    docs, corpus_topics = _paragraphs(corpus)
    towns = [z for z in district.zones if z.get("kind") != "district"]
    types = [c["code"] for c in district.categories if c.get("facet") == "type"]
    dims = [c["code"] for c in district.categories if c.get("facet") == "dimension"]
    sectors = [c["code"] for c in district.categories if c.get("facet") == "sector"]
    district_name = next((z["name"] for z in district.zones if z.get("kind") == "district"), "区")
    for i in range(n):
        year = rng.randint(2005, 2026)
        zone = None if rng.random() < 0.4 or not towns else rng.choice(towns)
        topic = rng.choice(SERVICE_TOPICS) if rng.random() < 0.35 else rng.choice(corpus_topics)
        title = rng.choice(PATTERNS).format(t=topic, y=year, z=zone["name"] if zone else district_name)
        if zone is not None and rng.random() < 0.5:
            issuer = zone["name"] + ("人民政府" if zone.get("kind") == "township" else "办事处")
            abbr = zone["name"][:2] + "政发"
        else:
            issuer, abbr = rng.choice(ISSUERS)
        paras = rng.choice(docs)
        start = rng.randrange(len(paras))
        target = _size(rng)
        body_parts = [f"# {title}"]
        size = len(body_parts[0].encode())
        k = start
        while size < target:
            p = paras[k % len(paras)]
            body_parts.append(p)
            size += len(p.encode()) + 2
            k += 1
        status = rng.choices(("in_force", "amended", "repealed"), (85, 10, 5))[0]
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        cats = [rng.choice(types), rng.choice(dims), *rng.sample(sectors, rng.randint(0, 2))]
        yield {
            "id": f"bench-{i:06d}",
            "title": title,
            "issuer": issuer,
            "doc_number": f"{abbr}〔{year}〕{rng.randint(1, 120)}号" if rng.random() < 0.6 else None,
            "published": f"{year:04d}-{month:02d}-{day:02d}",
            "status": status,
            "zone": zone["code"] if zone else None,
            "categories": cats,
            "body": "\n\n".join(body_parts),
        }


def write_pack(out: Path, corpus: Path, district_pack: Path, n: int, *, seed: int = SEED) -> int:
    """Write the district's zones/categories and ``n`` generated documents to ``out``; returns the
    pack's size in bytes."""
    district = load_district(district_pack)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for obj in [*district.zones, *district.categories]:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        for doc in generate(corpus, district, n, seed=seed):
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return out.stat().st_size

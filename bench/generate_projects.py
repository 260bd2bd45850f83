"""A large, plausible 调度表 for benchmarks and scale tests: the built-in 渝北 2023 dataset plus N generated projects.

Every generated project goes through the same validated db/ writes as a person's edit (projects.create,
targets.revise, updates.record, projects.add_milestone), in one transaction. The figures are invented but
shaped like a real district's: a few large projects and many small ones, most on time, some behind, long
names, some forty responsible units. Same seed, same database.

    python bench/generate_projects.py OUT.db --projects 10000
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db import Database, open_database, plan, portfolios, projects, seed, updates  # noqa: E402
from db.clusters import tree  # noqa: E402
from db.subjects import Subject  # noqa: E402
from db.validate import month_end  # noqa: E402

SOURCE = "bench/generate_projects.py 生成的测试数据"

PLACES = ["空港新城", "仙桃数据谷", "两江数字经济产业园", "龙兴", "悦来", "礼嘉", "木耳", "石船", "玉峰山", "统景",
          "大湾", "兴隆", "茨竹", "洛碛", "古路", "王家", "双凤桥", "回兴", "宝圣湖", "龙塔", "龙溪", "龙山",
          "双龙湖", "人和", "中央公园", "临空前沿科技城", "御临河", "黑石子", "张关", "鸳鸯"]
SUBJECTS = ["智能网联汽车零部件", "新能源电池材料", "电子元器件", "集成电路封装测试", "新型显示模组", "数据中心",
            "智慧物流园", "冷链物流基地", "标准厂房", "保障性租赁住房", "城市道路", "立交改造", "学校",
            "社区卫生服务中心", "污水处理厂", "轨道交通站点配套", "老旧小区改造", "产业园基础设施", "消费品制造基地",
            "智能装备产业园", "软件信息服务中心", "文化旅游综合体", "农贸市场", "体育公园", "综合管廊"]
SUFFIXES = ["项目", "一期工程", "二期工程", "建设项目", "改扩建工程", "配套基础设施项目", "及附属设施工程",
            "（含道路、管网、绿化等配套）建设项目"]
UNITS = ["区发展改革委", "区经济信息委", "区科技局", "区商务委", "区住房城乡建委", "区交通局", "区城市管理局",
         "区水利局", "区教委", "区卫生健康委", "区文化旅游委", "区规划自然资源局", "区生态环境局", "区国资委",
         "临空经济示范区管委会", "仙桃国际大数据谷管委会", "空港工业园区管委会", "龙兴镇", "统景镇", "石船镇",
         "大盛镇", "洛碛镇", "木耳镇", "兴隆镇", "茨竹镇", "古路镇", "王家街道", "悦来街道", "礼嘉街道",
         "双凤桥街道", "回兴街道", "龙塔街道", "龙溪街道", "龙山街道", "宝圣湖街道", "双龙湖街道", "仙桃街道",
         "人和街道", "区城投集团", "区空港集团"]
LEADERS = ["张明", "李华", "王强", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴昊"]
DELAYS = ["征地拆迁尚未完成，影响施工进度", "施工许可手续办理中", "资金未及时到位", "设计方案调整，待重新审批",
          "雨季停工，计划下月加快进度", "管线迁改协调中", "环评批复待取得", "土地出让未完成"]
MILESTONES = ["取得施工许可", "主体结构封顶", "设备进场安装", "竣工验收", "试生产", "投产达效"]


def _name(rng: random.Random) -> str:
    return rng.choice(PLACES) + rng.choice(SUBJECTS) + rng.choice(SUFFIXES)


def populate(db: Database, n_projects: int, *, seed_value: int = 1, as_of: str = "2023-06-30") -> int:
    """Add ``n_projects`` generated projects (and monthly portfolio figures for Jan–May) to a database that
    already holds the built-in dataset. Returns the number of projects added."""
    rng = random.Random(seed_value)
    py = plan.current_plan_year(db)
    year = py["year"]
    d = dt.date.fromisoformat(as_of)
    stages = plan.stages(db)
    pfs = {p["level"]: p for p in portfolios.list_for(db, py["id"])}
    leaf_clusters = [n.id for root in tree(db, py["id"]) for _path, n in root.walk() if n.kind == "cluster"]
    used: set[tuple[str, str]] = {(p["level"], p["name"]) for p in projects.list_for(db, py["id"])}
    with db.transaction("project", "target", "update"):
        for i in range(n_projects):
            level = "city" if rng.random() < 0.12 else "district"
            name = _name(rng)
            k = 2
            while (level, name) in used:
                name = f"{_name(rng)}（{k}）"
                k += 1
            used.add((level, name))
            scale = rng.lognormvariate(8.0, 1.1)            # 万元: median about 3,000
            plan_wan = max(int(scale), 50)
            total_wan = int(plan_wan * rng.uniform(1.5, 6))
            start = rng.choice([year - 2, year - 1, year, year])
            fields = {"responsible_unit": rng.choice(UNITS), "responsible_leader": rng.choice(LEADERS),
                      "location": rng.choice(PLACES), "total_investment_wan": total_wan, "start_year": start,
                      "finish_year": start + rng.choice([1, 2, 3]), "description": "生成的测试项目"}
            if leaf_clusters and rng.random() < 0.6:
                fields["cluster_id"] = rng.choice(leaf_clusters)
            pid = projects.create(db, portfolio_id=pfs[level]["id"], name=name, annual_plan_wan=plan_wan,
                                  source=SOURCE, reason="年初计划（生成数据）", **fields)
            subject = Subject("project", pid)
            # Pace against the plan: most on time, some a little behind, a few far behind.
            roll = rng.random()
            pace = rng.uniform(1.0, 1.3) if roll < 0.70 else rng.uniform(0.82, 0.99) if roll < 0.88 else \
                rng.uniform(0.45, 0.79)
            behind = pace < 0.8
            for month in sorted({3, d.month}):
                if month > d.month:
                    continue
                value = int(plan_wan * min(pace * month / 12, 1.0))
                note = rng.choice(DELAYS) if behind and month == d.month else ""
                updates.record(db, subject, "completed", month_end(year, month), value=value, note=note,
                               source=SOURCE, source_kind="typed")
            stage = stages[min(len(stages) - 1, max(0, int(rng.triangular(0, len(stages), 2))))]
            updates.record(db, subject, "stage", as_of, text_value=stage, source=SOURCE, source_kind="typed")
            if rng.random() < 0.3:
                updates.record(db, subject, "physical_progress", as_of, value=rng.randrange(500, 9500, 100),
                               source=SOURCE, source_kind="typed")
            if rng.random() < 0.5:
                m = rng.randrange(d.month + 1, 13) if d.month < 12 else 12
                projects.add_milestone(db, pid, name=rng.choice(MILESTONES), planned_date=month_end(year, m),
                                       planned_precision="month", source=SOURCE)
        # Month-by-month portfolio totals leading up to the as-of figure, so the cumulative chart has a curve.
        standing = updates.as_of(db, "portfolio", "completed", d)
        for pf in pfs.values():
            row = standing.get(pf["id"])
            if row is None or row["as_of"] != d.isoformat():
                continue
            for month in range(1, d.month):
                value = int(row["value"] * (month / d.month) ** 1.15)
                updates.record(db, Subject("portfolio", pf["id"]), "completed", month_end(year, month),
                               value=value, source=SOURCE, source_kind="typed")
    return n_projects


def build(path: str | Path, n_projects: int, *, seed_value: int = 1) -> Path:
    """A new database file at ``path``: the built-in dataset plus ``n_projects`` generated projects."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = open_database(path)
    try:
        seed.load_builtin(db)
        populate(db, n_projects, seed_value=seed_value)
    finally:
        db.close()
    return path


def cached(n_projects: int, *, seed_value: int = 1, folder: str | Path | None = None) -> Path:
    """The generated database for (n, seed), built once and kept in bench/.cache/ (or ``folder``)."""
    folder = Path(folder) if folder else Path(__file__).resolve().parent / ".cache"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"projects-{n_projects}-seed{seed_value}.db"
    if not path.exists():
        tmp = folder / (path.name + ".part")
        build(tmp, n_projects, seed_value=seed_value)
        tmp.replace(path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--projects", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t = time.perf_counter()
    build(args.out, args.projects, seed_value=args.seed)
    print(f"{args.out}: built-in dataset + {args.projects} projects in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()

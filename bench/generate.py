"""A city-scale PolicyTrack database for benchmarks: the built-in 渝北 2023 dataset plus N generated projects.

Reusable by every benchmark::

    from bench.generate import generate
    db = generate("/tmp/big.db", projects=10_000, months=12)

Projects are spread over both portfolios (about 85% 区级重点, 15% 市级重大) and over the cluster tree, with
realistic Chinese names, responsible units, locations, total investment (1–200 亿元, log-uniform), annual plans,
milestones, and ``months`` monthly year-to-date completed-investment updates each (January → ``months``), plus a
stage update whenever the stage moves. Deterministic for a given ``seed``.

The bulk rows go in with executemany inside one transaction (a benchmark fixture, not a person's edit: the
validated db/ functions are what the benchmarks measure); one audit entry records the generation.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db import Database, audit, clusters, open_database, plan, portfolios, seed  # noqa: E402
from db.validate import month_end, name_key  # noqa: E402

PLACES = ["渝北", "两江", "空港", "龙兴", "悦来", "仙桃", "礼嘉", "木耳", "石船", "统景", "玉峰山", "古路", "兴隆",
          "茨竹", "大盛", "洛碛", "双凤桥", "回兴", "宝圣湖", "龙塔", "王家", "翠云", "鸳鸯", "人和", "天宫殿"]
OWNERS = ["长安", "赛力斯", "京东方", "OPPO", "华润", "中电", "紫光", "华为", "海尔", "美的", "顺丰", "京东", "万国",
          "中冶", "中建", "招商", "金科", "龙湖", "力帆", "宗申", "川仪", "重药", "智飞", "博腾", "再升", "物奇",
          "传音", "首讯", "北斗星通", "中科创达", "宁德", "比亚迪", "国网", "中石油", "移动", "电信", "联通", "太古"]
WORKS = ["新能源汽车零部件", "智能网联汽车电子", "动力电池", "储能电站", "数据中心", "算力中心", "半导体封测",
         "集成电路设计", "新型显示模组", "智能终端", "工业机器人", "生物医药产业园", "医疗器械", "高端装备",
         "先进材料", "智慧物流园", "冷链物流", "保税仓储", "航空维修基地", "总部大楼", "研发中心", "创新港",
         "软件产业园", "北斗导航应用", "元宇宙体验中心", "安置房", "市政道路", "轨道交通站点综合开发", "污水处理厂",
         "变电站", "学校", "医院", "文体中心", "城市更新", "消费品加工基地", "食品加工", "商业综合体"]
PHASES = ["项目", "一期", "二期", "三期", "扩能项目", "技改项目", "基地", "产业园"]
UNITS = ["区发展改革委", "区经济信息委", "区住房城乡建委", "区商务委", "区科技局", "区城市管理局", "区交通局",
         "区卫生健康委", "区教委", "区规划自然资源局", "空港新城管委会", "临空经济示范区管委会", "前沿科技城管委会",
         "仙桃国际数据谷", "龙兴镇政府", "洛碛镇政府", "木耳镇政府", "两路街道", "双凤桥街道", "悦来投资集团"]
LEADERS = ["区委常委、常务副区长", "副区长（分管工业）", "副区长（分管城建）", "副区长（分管商务）",
           "区人大常委会副主任", "区政协副主席"]
MILESTONES = ["取得施工许可", "主体开工", "主体封顶", "设备进场", "竣工验收", "投产运营"]


def _ytd_path(rng: random.Random, plan_wan: int, months: int) -> list[int]:
    """Year-to-date completed investment per month: uneven months, never decreasing, ends near the plan."""
    pace = rng.uniform(0.6, 1.3)
    weights = [rng.uniform(0.3, 1.7) * (0.6 if m < 3 else 1.0) for m in range(12)]
    total_w = sum(weights)
    out, acc = [], 0.0
    for m in range(months):
        acc += plan_wan * pace * weights[m] / total_w
        out.append(int(round(acc)))
    return out


def generate(target: str | Path | Database, *, projects: int = 10_000, months: int = 12, year: int = 2023,
             seed_value: int = 20230630, city_share: float = 0.15) -> Database:
    """Create (or fill) a database: the built-in dataset, then ``projects`` generated projects with updates."""
    if not 0 <= months <= 12:
        raise ValueError("months must be 0..12")
    db = target if isinstance(target, Database) else open_database(target)
    if db.scalar("SELECT count(*) FROM plan_year") == 0:
        seed.load_builtin(db)
    py = plan.current_plan_year(db, year)
    rng = random.Random(seed_value)
    pf = {p["level"]: p["id"] for p in portfolios.list_for(db, py["id"])}
    leaves = []
    for root in clusters.tree(db, py["id"]):
        for _, node in root.walk():
            if node.kind in ("cluster", "industry"):
                leaves.append(node.id)
    stages = plan.stages(db)
    ends = [month_end(year, m).isoformat() for m in range(1, 13)]
    now = db.now()
    user = "基准数据"
    base_id = int(db.scalar("SELECT coalesce(max(id), 0) FROM project")) + 1
    position = {level: int(db.scalar("SELECT count(*) FROM project WHERE portfolio_id = ?", (pid,)))
                for level, pid in pf.items()}

    project_rows, target_rows, update_rows, milestone_rows = [], [], [], []
    used_names: set[str] = set()
    for i in range(projects):
        pid = base_id + i
        level = "city" if rng.random() < city_share else "district"
        while True:
            name = f"{rng.choice(OWNERS)}{rng.choice(PLACES)}{rng.choice(WORKS)}{rng.choice(PHASES)}"
            if name_key(name) not in used_names:
                break
            name = f"{name}（{i + 1}号地块）"
            if name_key(name) not in used_names:
                break
        used_names.add(name_key(name))
        scale = 3.0 if level == "city" else 1.0
        total_wan = int(math.exp(rng.uniform(math.log(10_000), math.log(2_000_000))) * scale // 100 * 100)
        plan_wan = max(500, int(total_wan * rng.uniform(0.1, 0.4)) // 100 * 100)
        start_year = rng.choice([year - 2, year - 1, year - 1, year, year])
        finish_year = start_year + rng.choice([1, 2, 2, 3, 4])
        cluster_id = rng.choice(leaves) if leaves and rng.random() < 0.7 else None
        project_rows.append((pid, pf[level], name, name_key(name), cluster_id, rng.choice(PLACES) + "片区",
                             rng.choice(UNITS), rng.choice(LEADERS), total_wan, start_year, finish_year,
                             position[level], now))
        position[level] += 1
        target_rows.append((py["id"], pid, plan_wan, f"{year}-01-01", "年初计划（基准数据）", now, user))
        for k, ms in enumerate(rng.sample(MILESTONES, 2)):
            planned = ends[rng.randint(3, 12) - 1]
            milestone_rows.append((pid, ms, planned, "month", k))
        stage_i = rng.randint(0, len(stages) - 2)
        for m, ytd in enumerate(_ytd_path(rng, plan_wan, months), start=1):
            as_of = ends[m - 1]
            update_rows.append((pid, "completed", as_of, ytd, None, now, user))
            if m == 1 or (rng.random() < 0.12 and stage_i < len(stages) - 1):
                stage_i += 0 if m == 1 else 1
                update_rows.append((pid, "stage", as_of, None, stages[stage_i], now, user))

    with db.transaction("project", "target", "update"):
        db.conn.executemany(
            "INSERT INTO project (id, portfolio_id, name, name_key, cluster_id, location, responsible_unit,"
            " responsible_leader, total_investment_wan, start_year, finish_year, position, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", project_rows)
        db.conn.executemany(
            "INSERT INTO target (plan_year_id, project_id, metric, value, effective_from, reason, revised_at,"
            " revised_by) VALUES (?, ?, 'annual_plan', ?, ?, ?, ?, ?)", target_rows)
        db.conn.executemany(
            "INSERT INTO milestone (project_id, name, planned_date, planned_precision, position)"
            " VALUES (?, ?, ?, ?, ?)", milestone_rows)
        db.conn.executemany(
            "INSERT INTO progress_update (project_id, metric, as_of, value, text_value, source_kind, recorded_at,"
            " recorded_by) VALUES (?, ?, ?, ?, ?, 'import', ?, ?)", update_rows)
        audit.log(db, action="bench.generate", entity="plan_year", entity_id=py["id"],
                  summary=f"生成基准数据：{projects} 个项目，每个 {months} 个月的更新",
                  after={"projects": projects, "months": months, "updates": len(update_rows)})
    return db


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a city-scale PolicyTrack database for benchmarks")
    p.add_argument("path")
    p.add_argument("--projects", type=int, default=10_000)
    p.add_argument("--months", type=int, default=12)
    args = p.parse_args(argv)
    if Path(args.path).exists():
        p.error(f"{args.path} exists")
    t = time.perf_counter()
    db = generate(args.path, projects=args.projects, months=args.months)
    n = db.scalar("SELECT count(*) FROM project")
    u = db.scalar("SELECT count(*) FROM progress_update")
    db.close()
    print(f"{args.path}: {n} projects, {u} updates in {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

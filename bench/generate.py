"""Generate a city-scale database: the built-in dataset plus N synthetic projects with monthly updates.

    python -m bench.generate OUT.db [--projects 10000] [--months 12]

Projects are spread over both portfolios, the clusters of the 2335 tree, 40 responsible units and the stage
list; each gets an annual plan, a total investment, a stage and ``months`` cumulative completed-investment
updates (month-ends from January), some behind and some ahead of time progress. Rows are written with plain
parameterised INSERTs in one transaction (going through db.updates.record 120,000 times would measure the
generator, not the app); the schema's CHECK constraints still validate every row.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from db import open_database, seed
from db.progress import month_ends
from db.validate import name_key

UNITS = [f"{d}{k}" for d in ("区", "") for k in ("发展改革委", "经济信息委", "住房城乡建委", "交通局", "商务委",
                                                 "科技局", "城市管理局", "水利局", "农业农村委", "卫生健康委",
                                                 "教委", "文化旅游委", "生态环境局", "规划自然资源局", "应急局",
                                                 "两江新区管委会", "空港工业园区", "仙桃数据谷", "前沿科技城",
                                                 "临空经济示范区")]
PLACES = ["龙兴镇", "两路街道", "双凤桥街道", "回兴街道", "仙桃街道", "悦来街道", "礼嘉街道", "石船镇", "洛碛镇",
          "木耳镇", "古路镇", "兴隆镇", "大湾镇", "茨竹镇", "统景镇"]
KINDS = ["智能制造基地", "汽车零部件项目", "电子信息产业园", "物流中心", "研发中心", "道路工程", "安置房项目",
         "污水处理厂", "学校建设项目", "医院扩建工程", "数据中心", "新能源储能电站", "生物医药产业园", "城市更新项目"]
LEADERS = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]


def generate(path: str | Path, projects: int = 10_000, months: int = 12, seed_value: int = 2023) -> Path:
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed_value)
    db = open_database(path)
    seed.load_builtin(db)
    py = db.query_one("SELECT id, year FROM plan_year")
    year = py["year"]
    portfolios = [r["id"] for r in db.query("SELECT id FROM portfolio ORDER BY position")]
    clusters = [r["id"] for r in db.query("SELECT id FROM cluster WHERE kind = 'cluster'")]
    stages = [r["name"] for r in db.query("SELECT name FROM stage ORDER BY position")]
    ends = [d.isoformat() for d in month_ends(year)[:months]]
    now = db.now()
    with db.transaction("project", "target", "update"):
        for i in range(projects):
            name = f"{rng.choice(PLACES)}{rng.choice(KINDS)}（{i + 1:05d}）"
            plan = rng.randrange(500, 200_000)            # 万元: 0.05 to 20 亿元
            total = plan * rng.randrange(2, 8)
            cur = db.conn.execute(
                "INSERT INTO project (portfolio_id, name, name_key, cluster_id, location, responsible_unit,"
                " responsible_leader, total_investment_wan, start_year, finish_year, description, source,"
                " position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (portfolios[0] if rng.random() < 0.8 else portfolios[1], name, name_key(name),
                 rng.choice(clusters) if rng.random() < 0.7 else None, rng.choice(PLACES), rng.choice(UNITS),
                 rng.choice(LEADERS) + "副区长", total, year - rng.randrange(0, 3), year + rng.randrange(0, 4),
                 "合成数据，用于性能测试", "bench.generate", 1000 + i, now))
            pid = cur.lastrowid
            db.conn.execute(
                "INSERT INTO target (plan_year_id, project_id, metric, value, effective_from, reason, revised_at,"
                " revised_by) VALUES (?, ?, 'annual_plan', ?, ?, '年初计划（合成）', ?, 'bench')",
                (py["id"], pid, plan, f"{year}-01-01", now))
            pace = rng.uniform(0.6, 1.3)
            rows = []
            for m, as_of in enumerate(ends, 1):
                done = min(int(plan * pace * m / 12), total)
                rows.append((pid, as_of, done, now))
            db.conn.executemany(
                "INSERT INTO progress_update (project_id, metric, as_of, value, source_kind, recorded_at,"
                " recorded_by) VALUES (?, 'completed', ?, ?, 'typed', ?, 'bench')", rows)
            db.conn.execute(
                "INSERT INTO progress_update (project_id, metric, as_of, text_value, source_kind, recorded_at,"
                " recorded_by) VALUES (?, 'stage', ?, ?, 'typed', ?, 'bench')",
                (pid, ends[-1] if ends else f"{year}-01-31", rng.choice(stages), now))
    db.close()
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=12)
    args = ap.parse_args()
    t = time.perf_counter()
    generate(args.out, args.projects, args.months)
    print(f"{args.out}: {args.projects} projects x {args.months} months in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()

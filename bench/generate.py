"""Generate a city-scale database: the built-in dataset plus N synthetic projects with monthly updates.

    python -m bench.generate OUT.db [--projects 10000] [--months 12] [--detailed]

Projects are spread over both portfolios, the clusters of the 2335 tree, 40 responsible units and the stage
list; each gets an annual plan, a total investment, a stage and ``months`` cumulative completed-investment
updates (month-ends from January), some behind and some ahead of time progress. Rows are written with plain
parameterised INSERTs in one transaction (going through db.updates.record 120,000 times would measure the
generator, not the app); the schema's CHECK constraints still validate every row.

``detailed=True`` (the 重点项目 board's benchmark and tests) adds what exercises every as-of rule and every
board column: a stage update each month (advancing now and then), 0–3 milestones per project (some reached,
some overdue), a mid-year plan revision for about 10%, a correction (a newer row for the same date) for about
3% and a retraction of the last month for about 1%, notes with LIKE wildcards in them, and the portfolios'
declared count, plan and monthly completion set to the itemised totals. Without it the output is the same as
before, so the other benchmarks' figures stay comparable.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

from db import audit, open_database, seed, targets, updates
from db.progress import month_ends
from db.subjects import Subject
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
NOTES = ["", "", "", "", "用地报批中", "资金已到位", "需协调供电", "环评已批复", "争取专项债", "含_编号_说明 50%"]
MILESTONES = ["取得施工许可", "主体结构封顶", "设备进场", "竣工验收", "试生产", "投产达产"]


def generate(path: str | Path, projects: int = 10_000, months: int = 12, seed_value: int = 2023, *,
             detailed: bool = False) -> Path:
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
    extra = _Extras(rng, py, year, ends, stages, portfolios, now) if detailed else None
    with db.transaction("project", "target", "update", "portfolio"):
        for i in range(projects):
            name = f"{rng.choice(PLACES)}{rng.choice(KINDS)}（{i + 1:05d}）"
            plan = rng.randrange(500, 200_000)            # 万元: 0.05 to 20 亿元
            total = plan * rng.randrange(2, 8)
            portfolio = portfolios[0] if rng.random() < 0.8 else portfolios[1]
            cur = db.conn.execute(
                "INSERT INTO project (portfolio_id, name, name_key, cluster_id, location, responsible_unit,"
                " responsible_leader, total_investment_wan, start_year, finish_year, description, source,"
                " position, created_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (portfolio, name, name_key(name),
                 rng.choice(clusters) if rng.random() < 0.7 else None, rng.choice(PLACES), rng.choice(UNITS),
                 rng.choice(LEADERS) + "副区长", total, year - rng.randrange(0, 3), year + rng.randrange(0, 4),
                 "合成数据，用于性能测试", "bench.generate", 1000 + i, now,
                 rng.choice(NOTES) if detailed else ""))
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
            if extra is None:
                db.conn.execute(
                    "INSERT INTO progress_update (project_id, metric, as_of, text_value, source_kind, recorded_at,"
                    " recorded_by) VALUES (?, 'stage', ?, ?, 'typed', ?, 'bench')",
                    (pid, ends[-1] if ends else f"{year}-01-31", rng.choice(stages), now))
            else:
                extra.project(db, pid, portfolio, plan, [r[2] for r in rows])
        if extra is not None:
            extra.portfolios(db)
    db.close()
    return path


class _Extras:
    """The detailed data: stages each month, milestones, revisions, corrections, retractions, portfolio totals."""

    def __init__(self, rng: random.Random, py: dict, year: int, ends: list[str], stages: list[str],
                 portfolios: list[int], now: str):
        self.rng, self.py, self.year, self.ends, self.stages, self.now = rng, py, year, ends, stages, now
        self.first = {p: 0 for p in portfolios}           # the plans as at January 1
        self.final = {p: 0 for p in portfolios}           # after the mid-year revisions
        self.done = {p: [0] * len(ends) for p in portfolios}
        self.count = {p: 0 for p in portfolios}

    def project(self, db, pid: int, portfolio: int, plan: int, standing: list[int]) -> None:
        rng, ends, now = self.rng, self.ends, self.now
        self.first[portfolio] += plan
        self.count[portfolio] += 1
        if rng.random() < 0.1:
            plan = int(plan * rng.choice([0.8, 1.2]))
            db.conn.execute(
                "INSERT INTO target (plan_year_id, project_id, metric, value, effective_from, reason, revised_at,"
                " revised_by) VALUES (?, ?, 'annual_plan', ?, ?, '年中调整（合成）', ?, 'bench')",
                (self.py["id"], pid, plan, f"{self.year}-07-01", now))
        self.final[portfolio] += plan
        stage_i = rng.randrange(0, len(self.stages))
        stage_rows = []
        for m, as_of in enumerate(ends):
            if m % 3 == 2 and stage_i < len(self.stages) - 1 and rng.random() < 0.5:
                stage_i += 1
            stage_rows.append((pid, as_of, self.stages[stage_i], now))
        db.conn.executemany(
            "INSERT INTO progress_update (project_id, metric, as_of, text_value, source_kind, recorded_at,"
            " recorded_by) VALUES (?, 'stage', ?, ?, 'typed', ?, 'bench')", stage_rows)
        r = rng.random()
        if r < 0.03 and ends:        # a correction: a second, newer row for the same date supersedes the first
            m = rng.randrange(len(ends))
            standing[m] = int(plan * rng.uniform(0.1, 0.6))
            db.conn.execute(
                "INSERT INTO progress_update (project_id, metric, as_of, value, source_kind, recorded_at,"
                " recorded_by) VALUES (?, 'completed', ?, ?, 'typed', ?, 'bench')", (pid, ends[m], standing[m], now))
        elif r < 0.04 and len(ends) > 1:   # a retraction: the last month withdrawn, the month before stands
            standing[-1] = standing[-2]
            db.conn.execute(
                "INSERT INTO progress_update (project_id, metric, as_of, retracted, source_kind, recorded_at,"
                " recorded_by) VALUES (?, 'completed', ?, 1, 'typed', ?, 'bench')", (pid, ends[-1], now))
        for m, value in enumerate(standing):
            self.done[portfolio][m] += value
        for k in range(rng.randrange(0, 4)):
            planned = dt.date(self.year, rng.randrange(1, 13), 1) + dt.timedelta(days=rng.randrange(0, 28))
            reached = planned + dt.timedelta(days=rng.randrange(-20, 20)) if rng.random() < 0.4 else None
            db.conn.execute(
                "INSERT INTO milestone (project_id, name, planned_date, planned_precision, actual_date, position)"
                " VALUES (?, ?, ?, 'day', ?, ?)",
                (pid, MILESTONES[(k + stage_i) % len(MILESTONES)], planned.isoformat(),
                 reached.isoformat() if reached else None, k))

    def portfolios(self, db) -> None:
        """Declared figures equal to the itemised ones, so the header bands show full coverage."""
        for pid in self.first:
            declared = self.count[pid] + int(db.scalar(
                "SELECT count(*) FROM project WHERE portfolio_id = ? AND source <> 'bench.generate'", (pid,)))
            db.conn.execute("UPDATE portfolio SET declared_count = ? WHERE id = ?", (declared, pid))
            subject = Subject("portfolio", pid)
            targets.revise(db, subject, "annual_plan", self.first[pid], reason="合成数据：项目合计",
                           effective_from=f"{self.year}-01-01")
            targets.revise(db, subject, "annual_plan", self.final[pid], reason="合成数据：年中调整后的项目合计",
                           effective_from=f"{self.year}-07-01")
            for m, end in enumerate(self.ends):
                updates.record(db, subject, "completed", end, value=self.done[pid][m], source_kind="import")
        audit.log(db, action="bench.generate", entity="project", entity_id=None,
                  summary=f"合成数据：{sum(self.count.values())} 个项目、{len(self.ends)} 个月的进度（详细）")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--detailed", action="store_true", help="stages each month, milestones, corrections, ...")
    args = ap.parse_args()
    t = time.perf_counter()
    generate(args.out, args.projects, args.months, detailed=args.detailed)
    print(f"{args.out}: {args.projects} projects x {args.months} months in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()

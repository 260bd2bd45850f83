"""A city-scale database for benchmarks: the built-in 渝北 2023 dataset plus N generated key projects, each with
monthly year-to-date completion and stage updates, annual-plan targets (some revised mid-year), milestones,
and the odd correction and retraction, so that every as-of rule is exercised.

    python -m bench.generate OUT.db [--projects 10000] [--months 12]

or from Python: ``from bench.generate import generate; generate(path, projects=10_000, months=12)``.

The generated rows are bulk-inserted in one transaction (one audit entry says so) rather than one validated
write each: 10,000 projects with 12 months is about 250,000 rows, which the per-row API would take minutes to
write. Everything else goes through db/ as usual.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from db import audit, clusters, open_database, plan, portfolios, seed, targets, updates  # noqa: E402
from db.progress import month_ends  # noqa: E402
from db.subjects import Subject  # noqa: E402
from db.validate import name_key  # noqa: E402

PLACES = ["两路", "双凤桥", "回兴", "龙溪", "龙山", "龙塔", "双龙湖", "仙桃", "宝圣湖", "悦来", "王家", "礼嘉",
          "大竹林", "人和", "天宫殿", "翠云", "鸳鸯", "木耳", "古路", "玉峰山", "石船", "龙兴", "统景", "大盛",
          "茨竹", "兴隆", "洛碛", "大湾", "空港", "前沿科技城", "临空", "中央公园"]
SUBJECTS = ["新能源汽车", "汽车零部件", "智能网联汽车", "动力电池", "智能装备", "工业机器人", "集成电路", "显示面板",
            "电子信息", "软件信息", "大数据", "数据中心", "生物医药", "医疗器械", "食品加工", "航空物流", "冷链物流",
            "商贸", "文旅", "康养", "教育", "医院", "城市更新", "道路", "轨道交通", "综合管廊", "污水处理", "公园",
            "保障性住房", "产业园"]
FACILITIES = ["项目", "基地", "工厂", "产业园", "研发中心", "配套工程", "一期工程", "二期工程", "综合体", "改扩建工程",
              "建设项目", "示范园"]
UNITS = ["区经济信息委", "区发展改革委", "区住房城乡建委", "区交通局", "区城市管理局", "区商务委", "区教委",
         "区卫生健康委", "区文化旅游委", "区生态环境局", "临空经济示范区管委会", "两江新区渝北片区", "区国资委",
         "龙兴镇", "洛碛镇", "石船镇", "统景镇", "古路镇"]
LEADERS = ["王建国", "李卫东", "张红梅", "刘志强", "陈晓燕", "杨明", "赵丽华", "黄海涛", "周静", "吴志刚",
           "徐芳", "孙伟", "马超", "朱玲", "胡斌", "郭敏", "何涛", "林峰", "罗娟", "高翔"]
NOTES = ["", "", "", "", "用地报批中", "资金已到位", "需协调供电", "环评已批复", "争取专项债", "含_编号_说明 50%"]
MILESTONES = ["取得施工许可", "主体结构封顶", "设备进场", "竣工验收", "试生产", "投产达产"]

BENCH_USER = "基准数据"


def _cumulative_shares(rng: random.Random, months: int) -> list[float]:
    """Year-to-date shares of the annual plan at each month end: around time progress, some ahead, some behind."""
    pace = rng.choice([0.55, 0.75, 0.9, 0.95, 1.0, 1.0, 1.05, 1.1, 1.25])
    out, share = [], 0.0
    for m in range(1, months + 1):
        target = pace * m / 12
        share = max(share, target + rng.uniform(-0.04, 0.04))
        out.append(max(0.0, share))
    return out


def generate(path: str | Path, projects: int = 10_000, months: int = 12, *, seed_value: int = 2023) -> Path:
    """Write a new database at ``path`` (which must not exist) and return it."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(path)
    rng = random.Random(seed_value)
    db = open_database(path)
    try:
        seed.load_builtin(db)
        py = plan.current_plan_year(db)
        year = py["year"]
        ends = [d.isoformat() for d in month_ends(year)[:months]]
        leaves = [n.id for root in clusters.tree(db, py["id"]) for _, n in root.walk()
                  if n.kind in ("cluster", "industry", "enterprise")]
        pf = {p["level"]: p["id"] for p in portfolios.list_for(db, py["id"])}
        stages = plan.stages(db)
        user, db.user = db.user, BENCH_USER
        now = db.now()
        first_id = int(db.scalar("SELECT coalesce(max(id), 0) + 1 FROM project"))
        project_rows, target_rows, update_rows, milestone_rows = [], [], [], []
        done_sum = {"district": [0] * months, "city": [0] * months}     # the portfolio's completed, month by month
        plan_first = {"district": 0, "city": 0}
        plan_total = {"district": 0, "city": 0}
        for i in range(projects):
            pid = first_id + i
            level = "city" if rng.random() < 0.15 else "district"
            name = f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(FACILITIES)}（{i + 1:05d}）"
            annual = rng.choice([800, 1500, 3000, 5000, 8000, 12000, 20000, 50000, 100000]) + rng.randrange(0, 500)
            total = annual * rng.choice([2, 3, 5, 8, 10])
            project_rows.append((pid, pf[level], name, name_key(name), rng.choice(leaves + [None]),
                                 rng.choice(PLACES) + "街道" if rng.random() < 0.8 else "",
                                 rng.choice(UNITS), rng.choice(LEADERS), total, year - rng.randrange(0, 3),
                                 year + rng.randrange(0, 4), "", rng.choice(NOTES), i, now))
            target_rows.append((py["id"], pid, annual, f"{year}-01-01", "年初计划（基准数据）", now, BENCH_USER))
            plan_now = annual
            if rng.random() < 0.1:
                plan_now = int(annual * rng.choice([0.8, 1.2]))
                target_rows.append((py["id"], pid, plan_now, f"{year}-07-01", "年中调整（基准数据）", now, BENCH_USER))
            plan_first[level] += annual
            plan_total[level] += plan_now
            stage_i = rng.randrange(0, len(stages))
            standing = []
            for m, share in enumerate(_cumulative_shares(rng, months)):
                value = int(plan_now * share)
                update_rows.append((pid, "completed", ends[m], value, None, 0))
                standing.append(value)
                if m % 3 == 2 and stage_i < len(stages) - 1 and rng.random() < 0.5:
                    stage_i += 1
                update_rows.append((pid, "stage", ends[m], None, stages[stage_i], 0))
            r = rng.random()
            if r < 0.03:      # a correction: a second, newer row for the same date supersedes the first
                m = rng.randrange(months)
                standing[m] = int(plan_now * rng.uniform(0.1, 0.6))
                update_rows.append((pid, "completed", ends[m], standing[m], None, 0))
            elif r < 0.04 and months > 1:    # a retraction: the last month withdrawn, the month before stands
                standing[-1] = standing[-2]
                update_rows.append((pid, "completed", ends[-1], None, None, 1))
            for m, value in enumerate(standing):
                done_sum[level][m] += value
            for k in range(rng.randrange(0, 4)):
                planned = dt.date(year, rng.randrange(1, 13), 1) + dt.timedelta(days=rng.randrange(0, 28))
                done = planned + dt.timedelta(days=rng.randrange(-20, 20)) if rng.random() < 0.4 else None
                milestone_rows.append((pid, MILESTONES[(k + stage_i) % len(MILESTONES)], planned.isoformat(), "day",
                                       done.isoformat() if done else None, k))
        with db.transaction("project", "target", "update", "portfolio"):
            db.conn.executemany(
                "INSERT INTO project (id, portfolio_id, name, name_key, cluster_id, location, responsible_unit,"
                " responsible_leader, total_investment_wan, start_year, finish_year, description, note, position,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", project_rows)
            db.conn.executemany(
                "INSERT INTO target (plan_year_id, project_id, metric, value, effective_from, reason, revised_at,"
                " revised_by) VALUES (?, ?, 'annual_plan', ?, ?, ?, ?, ?)",
                target_rows)
            db.conn.executemany(
                "INSERT INTO progress_update (project_id, metric, as_of, value, text_value, retracted, source_kind,"
                " recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, 'import', ?, ?)",
                [(*r, now, BENCH_USER) for r in update_rows])
            db.conn.executemany(
                "INSERT INTO milestone (project_id, name, planned_date, planned_precision, actual_date, position)"
                " VALUES (?, ?, ?, ?, ?, ?)", milestone_rows)
            for level, pid in pf.items():
                count = sum(1 for r in project_rows if r[1] == pid) + int(db.scalar(
                    "SELECT count(*) FROM project WHERE portfolio_id = ? AND id < ?", (pid, first_id)))
                db.conn.execute("UPDATE portfolio SET declared_count = ? WHERE id = ?", (count, pid))
                # The declared figures equal the itemised ones, so the bands show full coverage.
                subject = Subject("portfolio", pid)
                targets.revise(db, subject, "annual_plan", plan_first[level], reason="基准数据：项目合计",
                               effective_from=f"{year}-01-01")
                targets.revise(db, subject, "annual_plan", plan_total[level], reason="基准数据：年中调整后的项目合计",
                               effective_from=f"{year}-07-01")
                for m, end in enumerate(ends):
                    updates.record(db, subject, "completed", end, value=done_sum[level][m], source_kind="import")
            audit.log(db, action="bench.generate", entity="project", entity_id=None,
                      summary=f"基准数据：生成 {projects} 个项目、{months} 个月的进度", after={"projects": projects,
                                                                                  "months": months})
        db.user = user
    finally:
        db.close()
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a city-scale PolicyTrack database for benchmarks.")
    p.add_argument("out")
    p.add_argument("--projects", type=int, default=10_000)
    p.add_argument("--months", type=int, default=12)
    args = p.parse_args(argv)
    generate(args.out, args.projects, args.months)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

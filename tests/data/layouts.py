"""A corpus of 调度表 layouts as offices and project platforms really produce them, written by code with openpyxl.

Each layout says where it is seen and the exact figures it must import into the built-in 渝北 2023 database (万元).
The figures are invented; the column names, title lines, unit habits and row kinds follow public examples:

- 重点项目 platforms' 投资完成情况表 exports (provincial/municipal 重点项目管理平台: 项目编号, 项目类型 区级重点/
  市级重大, 总投资（亿元）beside 年度计划投资（万元）, "8月完成投资" beside "年度累计完成投资", 年度投资完成率,
  资金到位率, a 合计 row at the bottom);
- district 发改委 monthly 调度表 made in Excel/WPS (two-row header "2023年" over 年度计划 / 1-8月累计完成 / 本月完成,
  单位：万元 line, section rows by level, 合计 row);
- 市级重大项目 推进情况 tables in 亿元 with the level in the title (自年初累计 / 当月完成);
- sheets keyed by the national 投资项目在线审批监管平台 code (项目代码, 项目级别 incl. values like 省级重点, 截至本月累计
  beside 项目累计完成投资 since the start);
- 统计 tables with a units row under the header and a 栏次 row (甲 乙 1 2 3 …);
- 推进情况表 with 进展情况 / 存在困难 text columns and "当月至今已完成";
- CSV downloaded from a web platform (GBK, 项目代码, 1-8月累计完成, 本月);
- 包联领导 调度表 with the 合计 row at the top, amounts typed with 亿 and "开工累计" beside "年累计".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl


def sheet(path: Path, title: str, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    """A one-sheet workbook: the rows from A1 down, then the merged ranges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


@dataclass
class Layout:
    key: str
    seen: str  # where this layout is seen
    build: Callable[[Path], Path]
    # project name -> what the database must hold after the import, at the sheet's date: level ('district' /
    # 'city'), code, annual_plan, completed (year-to-date, 万元), stage
    expected: dict[str, dict]
    as_of: str = "2023-08-31"
    before: str | None = None  # a layout to import first (last month's figures)
    args: list[str] = field(default_factory=list)  # extra import-xlsx arguments the layout needs


# -- the platform export of the issue: four projects, new to the database -------------------------------------

PLATFORM_PROJECTS = [
    # code, name, level, total 亿元, plan 万元, July month, July YTD, August month, August YTD, stage, problem
    ("2301-500112-04-01-100011", "渝北数字经济产业园一期", "区级重点", 12.5, 30000, 2400, 18500, 2500, 21000,
     "主体施工", "无"),
    ("2302-500112-04-01-100028", "空港新城人才公寓", "区级重点", 8.2, 20000, 1500, 10800, 1800, 12600, "主体施工",
     "用地指标待落实"),
    ("2303-500112-04-01-100035", "仙桃数据谷三期", "区级重点", 15, 40000, 3000, 22800, 3200, 26000, "设备安装", None),
    ("2211-500112-04-01-100047", "两江国际商务中心综合交通枢纽", "市级重大", 45.6, 120000, 8500, 71000, 9000, 80000,
     "主体施工", None),
]


def _platform(path: Path, month: int, *, with_month: bool = True, with_ytd: bool = True,
              ytd_override: dict[int, int] | None = None) -> Path:
    header = ["序号", "项目编号", "项目名称", "行政区", "项目类型", "总投资（亿元）", "年度计划投资（万元）"]
    header += [f"{month}月完成投资（万元）"] * with_month + ["年度累计完成投资（万元）"] * with_ytd
    header += ["年度投资完成率", "资金到位率", "形象进度", "存在问题"]
    rows = [[f"2023年1-{month}月渝北区重点项目投资完成情况表"], header]
    sums = [0, 0, 0]
    for i, (code, name, level, total, plan, m7, y7, m8, y8, stage, problem) in enumerate(PLATFORM_PROJECTS, 1):
        m, y = (m7, y7) if month == 7 else (m8, y8)
        y = (ytd_override or {}).get(i, y)
        rows.append([i, code, name, "渝北区", level, total, plan] + [m] * with_month + [y] * with_ytd
                    + [f"{y / plan * 100:.1f}%", "85%", stage, problem])
        sums = [sums[0] + plan, sums[1] + m, sums[2] + y]
    rows.append([None, None, "合计", None, None, sum(p[3] for p in PLATFORM_PROJECTS), sums[0]]
                + [sums[1]] * with_month + [sums[2]] * with_ytd)
    return sheet(path, "投资完成情况", rows, ("A1:M1",))


def _platform_expected(*, ytd: dict[int, int] | None = None) -> dict[str, dict]:
    out = {}
    for i, (code, name, level, _t, plan, _m7, _y7, _m8, y8, stage, _p) in enumerate(PLATFORM_PROJECTS, 1):
        out[name] = {"level": "district" if level == "区级重点" else "city", "code": code, "annual_plan": plan,
                     "completed": (ytd or {}).get(i, y8), "stage": stage}
    return out


def platform_july(path: Path) -> Path:
    return _platform(path, 7)


def platform_august(path: Path) -> Path:
    return _platform(path, 8)


def platform_august_month_only(path: Path) -> Path:
    return _platform(path, 8, with_ytd=False)


# Rows 2 and 4 disagree: 10,800 + 1,800 ≠ 13,000 and 71,000 + 9,000 ≠ 79,000.
DISAGREEING = {2: 13000, 4: 79000}


def platform_august_disagreeing(path: Path) -> Path:
    return _platform(path, 8, ytd_override=DISAGREEING)


# -- a district office's two-row 调度表 over projects the database already has -----------------------------

def district_two_row(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "8月"
    ws["A1"] = "渝北区2023年重点项目投资调度表（截至2023年8月31日）"
    ws.merge_cells("A1:H1")
    ws["G2"] = "单位：万元"
    ws.append(["序号", "项目名称", "2023年", None, None, "形象进度", "责任单位", "备注"])
    ws.append([None, None, "年度计划", "1-8月累计完成", "本月完成", None, None, None])
    for col in "ABFGH":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("C3:E3")
    ws.append(["一、区级重点项目（2个）"])
    ws.append([1, "金康赛力斯龙兴工厂", 200000, 150000, 15000, "设备安装", "区经信委", None])
    ws.append([2, "大洋电机项目", 80000, 32000, 4000, "主体施工", "区经信委", None])
    ws.append(["二、市级重大项目（1个）"])
    ws.append([3, "长安汽车渝北新工厂", 125000, 102000, 11000, "设备安装", "区经信委", None])
    ws.append([None, "合计", 405000, 284000, 30000])
    ws.append(["填报人：张三"])
    wb.save(path)
    return path


# -- 市级重大项目 in 亿元, level in the title ------------------------------------------------------------------

def city_in_yi(path: Path) -> Path:
    return sheet(path, "市级重大", [
        ["2023年渝北区市级重大项目推进情况（截至2023年8月31日）"],
        ["项目名称", "总投资（亿元）", "年度计划（亿元）", "自年初累计（亿元）", "当月完成（亿元）", "建设阶段",
         "责任单位"],
        ["哈密—重庆±800千伏特高压直流输电工程", 286, 30, 21.35, 2.6, "主体施工", "国网重庆市电力公司"],
        ["渝北区智能网联汽车测试基地", 18.5, 4.2, 2.8, 0.35, "开工", "区经信委"],
    ])


# -- keyed by the national project code, with a 项目级别 the database has no portfolio for --------------------

def national_code(path: Path) -> Path:
    return sheet(path, "项目调度", [
        ["渝北区重点项目调度（2023年8月）"],
        ["项目代码", "项目名称", "项目级别", "计划总投资(万元)", "本年计划投资(万元)", "截至本月累计完成(万元)",
         "项目累计完成投资(万元)", "项目阶段", "本月进展"],
        ["2305-500112-04-01-20001A", "临空前沿科技城标准厂房", "区级重点项目", 56000, 15000, 9800, 21000,
         "主体施工", "完成3号厂房封顶"],
        ["2212-500112-89-01-200025", "轨道交通4号线二期渝北段配套", "市级重点", 230000, 45000, 30500, 88000,
         "主体施工", None],
        ["2308-500112-04-01-200033", "重庆临空经济示范区综合管廊", "省级重点", 96000, 12000, 5000, 5000,
         "开工", None],
    ])


# -- a 统计 table: units under the header, a 栏次 row ------------------------------------------------------------

def statistics_units_row(path: Path) -> Path:
    return sheet(path, "固定资产投资项目", [
        ["2023年1-8月渝北区固定资产投资重点项目完成情况"],
        ["序号", "项目名称", "计划总投资", "本年计划", "本年累计完成投资", "本月完成投资", "项目类别"],
        [None, None, "（亿元）", "（万元）", "（万元）", "（万元）", None],
        ["甲", "乙", "1", "2", "3", "4", "5"],
        [1, "渝北区城市更新示范片区", 9.8, 18000, 11200, 1300, "区级"],
        [2, "中央公园商圈提升工程", 26, 52000, 36500, 4100, "市级"],
    ])


# -- 推进情况表: sections by level, 进展情况 / 存在困难, "当月至今已完成" ----------------------------------------

def progress_sections(path: Path) -> Path:
    return sheet(path, "推进情况", [
        ["渝北区重点项目推进情况表（截至2023年8月31日）"],
        ["单位：万元"],
        ["序号", "项目名称", "年度计划", "当月至今已完成", "本月", "进展情况", "存在困难"],
        ["一、市级重大项目"],
        [1, "洛碛物流项目", 60000, 41000, 5000, "仓储区主体施工", "融资进度慢"],
        ["二、区级重点项目"],
        [2, "宏捷盛汽车零部件项目", 12000, 8800, 900, "生产线安装调试", None],
        [3, "渝北区智慧医养中心", 9000, 6100, 700, "主体结构施工", None],
    ])


# -- a CSV a web platform offers for download (GBK) ------------------------------------------------------------

def platform_csv(path: Path) -> Path:
    text = ("2023年1-8月重点项目完成情况\n"
            "项目代码,项目名称,级别,年度计划投资（万元）,1-8月累计完成（万元）,本月（万元）,形象进度\n"
            "2306-500112-04-01-30001B,两路寸滩综合保税区跨境电商产业园,区级重点,26000,17500,2100,主体施工\n"
            "2304-500112-04-01-300029,仙桃国际大数据谷算力中心,市级重大,50000,34000,4500,设备安装\n")
    path.write_bytes(text.encode("gbk"))
    return path


# -- a 包联领导 调度表: 合计 at the top, amounts typed with 亿, 开工累计 beside 年累计 ------------------------------

def leader_table(path: Path) -> Path:
    return sheet(path, "区级", [
        ["渝北区2023年区级重点项目包联调度表（截至8月31日）"],
        ["单位：万元"],
        ["序号", "项目名称", "包联领导", "责任单位", "年度计划投资", "开工累计", "年累计", "完成率", "形象进度"],
        [None, "合计", None, None, "5亿", None, 35500, None, None],
        [1, "材主在线重庆研发生产加工基地", "李副区长", "区经信委", 30000, 52000, 21500, "71.7%",
         "主体已封顶，正在设备安装"],
        [2, "重庆睿福来科技有限公司厂区", "李副区长", "区经信委", "2亿", "1.8亿", "1.4亿", "70%", "主体施工"],
    ], ("C5:C6", "D5:D6"))


LAYOUTS = [
    Layout("platform-august", "重点项目管理平台导出的投资完成情况表（项目编号、项目类型、总投资亿元与年度计划万元并列、"
           "当月与年度累计并列、资金到位率、合计行在底部）", platform_august, _platform_expected()),
    Layout("platform-july-then-month-only", "同一平台 8 月只导出“8月完成投资”列（累计由 7 月累计加本月推算）",
           platform_august_month_only, _platform_expected(), before="platform-july"),
    Layout("district-two-row", "区发改委月度调度表（Excel/WPS：两行表头“2023年”合并在年度计划、1-8月累计完成、本月完成之上，"
           "单位行，按级别分组，合计行，填报人脚注）", district_two_row, {
               "金康赛力斯龙兴工厂": {"level": "district", "annual_plan": 200000, "completed": 150000,
                                      "stage": "设备安装"},
               "大洋电机项目": {"level": "district", "annual_plan": 80000, "completed": 32000, "stage": "主体施工"},
               "长安汽车渝北新工厂": {"level": "city", "annual_plan": 125000, "completed": 102000,
                                      "stage": "设备安装"}}),
    Layout("city-in-yi", "市级重大项目推进情况表（金额以亿元计，级别写在标题里，自年初累计与当月完成）", city_in_yi, {
        "哈密—重庆±800千伏特高压直流输电工程": {"level": "city", "annual_plan": 300000, "completed": 213500,
                                                  "stage": "主体施工"},
        "渝北区智能网联汽车测试基地": {"level": "city", "annual_plan": 42000, "completed": 28000, "stage": "开工"}}),
    Layout("national-code", "以全国投资项目在线审批监管平台项目代码为键的调度表（项目级别含“省级重点”，截至本月累计与"
           "项目累计完成投资并列）", national_code, {
               "临空前沿科技城标准厂房": {"level": "district", "code": "2305-500112-04-01-20001A",
                                          "annual_plan": 15000, "completed": 9800, "stage": "主体施工"},
               "轨道交通4号线二期渝北段配套": {"level": "city", "code": "2212-500112-89-01-200025",
                                               "annual_plan": 45000, "completed": 30500, "stage": "主体施工"},
               "重庆临空经济示范区综合管廊": {"level": "district", "code": "2308-500112-04-01-200033",
                                              "annual_plan": 12000, "completed": 5000, "stage": "开工"}},
           args=["--portfolio", "区级重点"]),
    Layout("statistics-units-row", "统计报表式（表头下一行写各列单位“（亿元）”“（万元）”，栏次行甲 乙 1 2 3，项目类别列）",
           statistics_units_row, {
               "渝北区城市更新示范片区": {"level": "district", "annual_plan": 18000, "completed": 11200},
               "中央公园商圈提升工程": {"level": "city", "annual_plan": 52000, "completed": 36500}}),
    Layout("progress-sections", "重点项目推进情况表（按级别分组，“当月至今已完成”与“本月”，进展情况、存在困难文字列）",
           progress_sections, {
               "洛碛物流项目": {"level": "city", "annual_plan": 60000, "completed": 41000},
               "宏捷盛汽车零部件项目": {"level": "district", "annual_plan": 12000, "completed": 8800},
               "渝北区智慧医养中心": {"level": "district", "annual_plan": 9000, "completed": 6100}}),
    Layout("platform-csv", "网上平台下载的 CSV（GBK 编码，项目代码、级别、1-8月累计完成、本月）", platform_csv, {
        "两路寸滩综合保税区跨境电商产业园": {"level": "district", "code": "2306-500112-04-01-30001B",
                                              "annual_plan": 26000, "completed": 17500, "stage": "主体施工"},
        "仙桃国际大数据谷算力中心": {"level": "city", "code": "2304-500112-04-01-300029", "annual_plan": 50000,
                                    "completed": 34000, "stage": "设备安装"}}),
    Layout("leader-table", "包联领导调度表（合计行在表头下方，金额带“亿”字，开工累计与年累计并列，包联领导与责任单位合并单元格）",
           leader_table, {
               "材主在线重庆研发生产加工基地": {"level": "district", "annual_plan": 30000, "completed": 21500,
                                                "stage": "设备安装"},
               "重庆睿福来科技有限公司厂区": {"level": "district", "annual_plan": 20000, "completed": 14000,
                                              "stage": "主体施工"}}),
]

BUILDERS = {"platform-july": platform_july, **{lay.key: lay.build for lay in LAYOUTS}}


def write(key: str, folder: Path) -> Path:
    """Write the layout ``key`` into ``folder`` and return its path."""
    suffix = ".csv" if key == "platform-csv" else ".xlsx"
    return BUILDERS[key](folder / f"{key}{suffix}")

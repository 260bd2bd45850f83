"""The words 调度表 headers use, kept as data in one place: what each column can be called, and what its values say.

Gathered from the layouts offices and platforms really produce (see tests/data/layouts.py for where each was seen):
district 调度表 made in Excel/WPS, the 投资完成情况表 that provincial and municipal 重点项目 platforms export, the
national 投资项目在线审批监管平台 code column, and 统计 tables with 栏次 rows. db/schedule.classify applies them in
the order below (the first concept whose words a header holds wins), so "当月至今已完成" is year-to-date, not the
month, and "项目累计完成投资" is since the start, not this year.

Every word here has a test (tests/db/test_header_words.py), and README's import section lists them.
"""
from __future__ import annotations

# Completed investment. Order matters: since-start and earlier periods are recognised before year-to-date, and
# year-to-date before the month (a header may hold both 当月 and 至今).
SINCE_START = ("开工以来", "自开工", "开工累计", "开工至今", "项目累计", "历年累计", "累计完成总投资", "以前年度",
               "至上年底", "截至上年", "建设以来")
EARLIER_PERIOD = ("上月", "去年", "上年", "同期")
YEAR_TO_DATE = ("年度累计", "本年累计", "今年累计", "年累计", "自年初", "年初至今", "至今", "截至本月", "截止本月",
                "累计")
# A header naming one month ("8月完成投资") or 本月/当月 is the month's amount; a range ("1-8月") is year-to-date.
MONTH = ("本月", "当月", "月度完成")

ANNUAL_PLAN = ("年度计划投资", "年度投资计划", "年度计划", "今年计划", "本年计划", "计划投资", "年计划")
TOTAL_INVESTMENT = ("总投资", "估算投资", "概算投资")
LEVEL = ("项目级别", "级别", "项目类型", "项目类别", "类别", "层级", "项目层级", "重点类别", "级次")
STAGE = ("形象进度", "建设阶段", "项目阶段", "建设进度", "进展阶段", "目前阶段", "所处阶段", "项目进度")
PROGRESS_NOTE = ("本月进展", "当月进展", "进展情况", "推进情况", "工作进度", "进度情况", "进展")
PROBLEM = ("存在问题", "存在困难", "困难问题", "问题及建议", "需协调解决", "协调事项", "问题")
CODE = ("项目代码", "项目编号", "统一代码", "项目统一代码", "审批代码", "备案代码", "赋码", "项目赋码", "代码")
NOT_PROJECT_CODE = ("名称", "信用", "行业", "区划", "邮政", "组织机构")  # 统一社会信用代码, 行业代码, 行政区划代码
LOCATION = ("地点", "地址", "所在地", "建设地", "选址", "所在镇街", "镇街", "行政区", "区县", "所属区域")
RESPONSIBLE_UNIT = ("责任单位", "牵头单位", "责任部门", "牵头部门", "主管部门", "主管单位", "责任主体",
                    "牵头责任单位", "责任科室")
CLUSTER = ("产业", "集群", "行业", "领域")
UNITS = ("亿元", "万元")  # per column "（亿元）", for the sheet "单位：万元"; a bare "（元）" is 元

# What a level column's values say, to the database's portfolio levels. Values naming neither (省级重点, 一般项目)
# are unknown: the command line lists them and refuses unless --portfolio says where new projects go; the import
# dialog asks.
LEVEL_VALUES = {
    "district": ("区级重点", "区级", "区重点", "区级重点项目", "县级重点"),
    "city": ("市级重大", "市级重点", "市级", "市重点", "市重大", "市级重大项目", "市级重点项目"),
}

# Headers an office may write that name nothing we store, with the reason shown in the report.
NOT_STORED = {
    "资金到位率": "资金到位情况，不是投资完成",
    "到位资金": "资金到位情况，不是投资完成",
}

# For README and the report: each concept's Chinese name and its words.
CONCEPTS = {
    "本月完成投资（当月数）": MONTH + ("N月完成投资",),
    "年度累计完成投资": YEAR_TO_DATE + ("1-N月完成",),
    "开工以来累计（不导入）": SINCE_START,
    "年度计划投资": ANNUAL_PLAN,
    "总投资": TOTAL_INVESTMENT,
    "项目级别": LEVEL,
    "金额单位": UNITS,
    "形象进度": STAGE,
    "本月进展": PROGRESS_NOTE,
    "存在问题": PROBLEM,
    "项目代码": CODE,
}

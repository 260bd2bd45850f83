"""调度表 workbooks built with openpyxl the way offices really make them (merged cells, two-row headers, …)."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment

TITLE_DISTRICT = "渝北区2023年区级重点项目投资完成情况调度表（截至7月31日）"


def messy_workbook(path: Path) -> Path:
    """Two sheets (区级 two-row header in 万元, 市级 one-row header in 亿元) and a notes sheet.

    Features: title line with the date, unit line, merged two-row header ("2023年" over three columns), a 合计 row
    at the top, section rows with counts, a blank row, a 责任单位 merged over three projects, a 总投资 merged over
    two projects, numbers as text with separators and full-width digits, a percent-formatted rate, amounts with
    their own unit, a stage in words, a footer note, dates as text and as Excel serials.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "区级"
    ws["A1"] = TITLE_DISTRICT
    ws.merge_cells("A1:J1")
    ws["A2"] = "填报单位：区发改委"
    ws["I2"] = "单位：万元"
    header_top = ["序号", "项目名称", "总投资", "2023年", None, None, "形象进度", "牵头单位", "本月进展", "备注"]
    header_bottom = [None, None, None, "计划投资", "1-7月完成", "完成率", None, None, None, None]
    for c, v in enumerate(header_top, 1):
        ws.cell(3, c, v)
    for c, v in enumerate(header_bottom, 1):
        if v:
            ws.cell(4, c, v)
    for col in "ABCGHIJ":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:F3")
    rows = [
        # row 5: the 合计 row at the top, as many offices put it (sums of the project rows below)
        [None, "合计", None, 200000 + 80000 + 30000 + 50000 + 20000 + 10000,
         150000 + 32000 + 12000 + 4000 + 8000 + 3000, None, None, None, None, None],
        ["一、先进制造业项目（3个）"] + [None] * 9,
        [1, "金康赛力斯 龙兴工厂", "1,200,000", "２０００００", 150000, 0.75, "设备安装调试中，预计9月试生产",
         "区经信委", "二期厂房设备安装", None],
        [2, "大洋电机项目", "300000", "8亿", "3.2亿", "40%", "主体施工", None, None, None],
        [3, "新能源电池材料项目", 60000, 30000, "12,000", None, "已开工", None, None, "新增项目"],
        [None] * 10,
        ["二、现代服务业项目（3个）"] + [None] * 9,
        [4, "顺丰西南运营总部一期快件分拨中心", 90000, 50000, "约4000", None, "主体施工", "区商务委", None, None],
        [5, "临空商务中心项目", 80000, 20000, 8000, None, "前期", "区住建委", None, None],
        [6, "智慧物流园项目", None, 10000, 3000, None, "开工", "区住建委", None, None],
        ["注：本表数据截至2023年7月31日，由各牵头单位填报。"] + [None] * 9,
    ]
    for i, values in enumerate(rows, 5):
        for c, v in enumerate(values, 1):
            if v is not None:
                ws.cell(i, c, v)
    ws["F7"].number_format = "0.0%"
    ws.merge_cells("A6:J6")
    ws.merge_cells("A11:J11")
    ws.merge_cells("H7:H9")  # one 牵头单位 for the three manufacturing projects
    ws.merge_cells("C13:C14")  # one 总投资 written over two projects: cannot be split
    ws["C13"] = 160000
    ws.merge_cells("A15:J15")
    for cell in ("A1", "D3"):
        ws[cell].alignment = Alignment(horizontal="center")

    ws2 = wb.create_sheet("市级")
    ws2["A1"] = "2023年1-7月渝北区市级重大项目推进情况"
    ws2["A2"] = "单位：亿元"
    ws2.append(["项目", "总投资（亿元）", "今年计划投资", "今年累计完成", "建设阶段", "责任单位", "计划竣工时间",
                "工程量完成比例(%)"])
    ws2.append(["长安汽车渝北新工厂", 150, "12.5", "１０.２", "设备安装", "区经信委", "2023年12月", None])
    ws2.append(["金山—明月山500千伏线路工程", 20, 3, 1.5, "主体施工", "国网重庆市电力公司", 45473, "60%"])
    ws2.append(["悦来国际会展配套项目", "45.5", "6", "2.25", "主体施工", "区文旅委", "2025.06", 35])
    ws2.append([None] * 8)
    ws2.append(["总计", 215.5, 21.5, 13.95, None, None, None, None])

    ws3 = wb.create_sheet("说明")
    ws3["A1"] = "本工作簿由区发改委下发，请各单位于每月5日前报送。"
    wb.save(path)
    return path


def simple_workbook(path: Path, rows: list[list], *, title: str = TITLE_DISTRICT, unit: str = "单位：万元",
                    header: list[str] | None = None, sheet: str = "区级") -> Path:
    """A plain one-row-header 调度表 with the given data rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    if unit:
        ws.append([unit])
    ws.append(header or ["序号", "项目名称", "年度计划投资", "累计完成投资", "形象进度", "责任单位"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def xml_bomb(path: Path) -> Path:
    """A valid-looking workbook whose shared strings declare nested entities (billion laughs)."""
    good = path.with_name("good-" + path.name)
    simple_workbook(good, [[1, "项目甲", 100, 50, "开工", "区经信委"]])
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' if i > 1 else
                      '<!ENTITY lol1 "' + "&lol;" * 10 + '">' for i in range(1, 10))
            + ']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
              '<si><t>&lol9;</t></si></sst>')
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        for name in names:
            data = src.read(name)
            if name == "xl/sharedStrings.xml":
                data = bomb.encode()
            dst.writestr(name, data)
        if "xl/sharedStrings.xml" not in names:
            dst.writestr("xl/sharedStrings.xml", bomb)
    good.unlink()
    return path


def encrypted_lookalike(path: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE2 compound file holding EncryptedPackage."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    body = bytearray(header.ljust(512, b"\x00"))
    body += "EncryptionInfo".encode("utf-16-le").ljust(64, b"\x00")
    body += "EncryptedPackage".encode("utf-16-le").ljust(64, b"\x00")
    body += bytes(4096)
    path.write_bytes(bytes(body))
    return path


def as_of_serial(d: dt.date) -> int:
    return (d - dt.date(1899, 12, 30)).days

"""argparse in Chinese: its usage line, section titles, built-in help texts and error messages.

argparse asks ``gettext`` for every text it prints, through the module-level names ``_`` and ``ngettext``, at
the moment it prints it (the ``-h`` help text: when a parser is made). ``install()`` points those two names at
a small catalogue; texts it does not know pass through unchanged. The catalogue covers the texts of Python 3.11
to 3.13 that a person can see (programming errors in how a parser is built are left in English).
"""
from __future__ import annotations

import argparse

CATALOGUE = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ignored explicit argument %r": "多余的值 %r",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的取值：%(value)r（可选：%(choices)s）",
    "invalid choice: %(value)r, maximum distance %(distance)s": "无效的取值：%(value)r",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 必须给出其中一个",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unexpected option string: %s": "意外的选项：%s",
}
PLURALS = {
    "expected %s argument": "需要 %s 个值",
}


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        return PLURALS[singular]
    return singular if n == 1 else plural


def install() -> None:
    """Make argparse speak Chinese from now on (idempotent)."""
    argparse._ = gettext            # type: ignore[attr-defined]
    argparse.ngettext = ngettext    # type: ignore[attr-defined]

"""Read a seed file: YAML → validated `SeedFile`, or a `SeedError` naming file, row and line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from .schema import SeedFile

Loc = Sequence[str | int]

# pydantic's error types, said the way a clerk reads them.
_MESSAGES = {
    "extra_forbidden": gettext_lazy("未知字段"),
    "missing": gettext_lazy("缺少必填项"),
    "string_too_short": gettext_lazy("不能为空"),
    "too_short": gettext_lazy("至少须有一项"),
    "string_too_long": gettext_lazy("内容过长"),
    "string_pattern_mismatch": gettext_lazy("标识只能由字母、数字、点、横线和下划线组成"),
    "int_parsing": gettext_lazy("须为整数"),
    "bool_parsing": gettext_lazy("须为 true 或 false"),
    "list_type": gettext_lazy("须为列表"),
    "model_type": gettext_lazy("须为一组“字段: 值”"),
    "dict_type": gettext_lazy("须为一组“字段: 值”"),
    "string_type": gettext_lazy("须为文字"),
    "greater_than_equal": gettext_lazy("数值过小"),
}


class SeedError(Exception):
    """A seed file that cannot be loaded; nothing of that file is written."""

    def __init__(self, file: Path | str, row: str, message: str, line: int | None = None):
        self.file = str(file)
        self.row = row
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f": {self.row}"
        if self.line:
            where += _("（第%(line)d行）") % {"line": self.line}
        return f"{where}: {self.message}"


def format_loc(loc: Loc) -> str:
    """('suggestions', 0, 'versions', 2, 'title') → 'suggestions[0].versions[2].title'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the YAML node at `loc` (or of its nearest existing parent)."""
    node, line = root, None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def read_seed_file(path: Path) -> tuple[SeedFile, yaml.Node | None]:
    """Parse and validate one file; raise SeedError for the first problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(
            path, "", _("无法读取文件：%(error)s") % {"error": exc.strerror or exc}
        ) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SeedError(
            path,
            "",
            _("YAML 格式错误：%(error)s") % {"error": getattr(exc, "problem", exc)},
            mark.line + 1 if mark else None,
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SeedError(path, "", _("文件顶层须为一组“字段: 值”（sources、suggestions 等）"), 1)
    try:
        return SeedFile.model_validate(data), root
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = _row_loc(error["loc"])
        message = str(_MESSAGES.get(error["type"], ""))
        detail = _detail(error)
        if error["type"] == "extra_forbidden":
            message = _("%(message)s「%(field)s」") % {
                "message": message,
                "field": error["loc"][-1],
            }
        elif detail and message:
            message = _("%(message)s（%(detail)s）") % {"message": message, "detail": detail}
        else:
            message = message or detail
        raise SeedError(path, format_loc(loc), message, line_of(root, loc)) from None


def _row_loc(loc: Loc) -> list[str | int]:
    """Drop pydantic's internal steps (e.g. 'function-after[...]') from an error location."""
    return [p for p in loc if isinstance(p, int) or not (p.startswith("function-") or "[" in p)]


def _detail(error: dict) -> str:
    message = str(error.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message if error["type"] not in _MESSAGES else ""

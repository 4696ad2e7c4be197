"""The kernel side of tests/cases/messages.json (protocol.py), and what protocol.py and wire.py may import.

Kernel -> page messages are built here and must be exactly the table's, which
tests/unit/widget/protocol.test.ts checks the page accepts; page -> kernel
messages there are built by the page's builders and checked here.
"""

import ast
import json
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

from cloudreel import protocol

TABLE = json.loads((Path(__file__).parents[1] / "cases" / "messages.json").read_text())
PACKAGE = Path(protocol.__file__).parent


def rows(direction, kind):
    return pytest.mark.parametrize("row", TABLE[direction][kind], ids=lambda row: row["id"])


def buffers(row):
    return [b"\x00"] * row.get("buffers", 0)


def kinds(union):
    """{message type: its TypedDict} for a union of TypedDicts."""
    return {value: typed for typed in get_args(union) for value in get_args(get_type_hints(typed)["type"])}


def same(built, want):
    """Equal, keys in the same order (the bytes on the wire follow it)."""
    assert json.dumps(built) == json.dumps(want)


@rows("kernel_to_page", "valid")
def test_kernel_messages_are_built_as_the_table_says(row):
    built = getattr(protocol, row["builder"])(*row["args"])
    same(built, row["message"])
    assert list(get_type_hints(kinds(protocol.KernelMessage)[built["type"]])) == list(built)


@rows("page_to_kernel", "valid")
def test_page_messages_built_by_the_page_are_accepted(row):
    assert protocol.message_problem(row["message"], buffers(row)) is None
    assert list(get_type_hints(kinds(protocol.PageMessage)[row["message"]["type"]])) == list(row["message"])


@rows("page_to_kernel", "malformed")
def test_malformed_page_messages_are_refused_with_the_tables_words(row):
    assert protocol.message_problem(row["message"], buffers(row)) == row["problem"]


@rows("page_to_kernel", "unknown")
def test_page_messages_of_unknown_kinds_are_let_through_to_be_ignored(row):
    assert protocol.message_problem(row["message"], buffers(row)) is None


def test_the_table_has_every_message_kind_in_both_directions():
    assert {row["message"]["type"] for row in TABLE["kernel_to_page"]["valid"]} == set(kinds(protocol.KernelMessage))
    assert {row["message"]["type"] for row in TABLE["page_to_kernel"]["valid"]} == set(kinds(protocol.PageMessage))
    builders = {"frames_offer", "frames_begin", "frames_chunk", "frames_end", "export_request", "cancel"}
    assert {row["builder"] for row in TABLE["kernel_to_page"]["valid"]} == builders
    assert builders <= set(protocol.__all__)


def imported(module: str) -> set[str]:
    """Top-level names of what ``module`` (a cloudreel module) imports, following cloudreel's own modules."""
    seen, names, todo = set(), set(), [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                todo += [node.module] if node.module else [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
    return names


@pytest.mark.parametrize("module", ["protocol", "wire", "pending_request"])
def test_the_pieces_other_hosts_reuse_need_no_jupyter(module):
    assert imported(module) & {"ipywidgets", "IPython", "traitlets", "jupyter_server", "tornado"} == set()

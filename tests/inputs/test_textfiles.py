"""Reading input files defensively: regular files of sane size, UTF-8 only, bounded nesting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.inputs.textfiles import FileProblem, decode_utf8, nesting_line, read_text_checked


def test_utf8_with_a_bom_is_read_without_the_bom():
    assert decode_utf8(b"\xef\xbb\xbfversion: 1\n") == "version: 1\n"


def test_invalid_utf8_names_the_byte_line_and_column():
    with pytest.raises(FileProblem) as info:
        decode_utf8(b"a: 1\nb: caf\xe9\n")
    assert info.value.line == 2 and "0xe9 at column 7" in info.value.message


@pytest.mark.parametrize(
    ("data", "name"), [("x".encode("utf-16"), "UTF-16"), ("x".encode("utf-32"), "UTF-32")]
)
def test_utf16_and_utf32_are_named(data, name):
    with pytest.raises(FileProblem, match=name):
        decode_utf8(data)


def test_nul_is_refused_with_its_line():
    with pytest.raises(FileProblem) as info:
        decode_utf8(b"a\nb\x00\n")
    assert info.value.line == 2


def test_a_device_is_refused_without_reading_it():
    with pytest.raises(FileProblem, match="not a regular file"):
        read_text_checked(Path("/dev/zero"))


def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    os.mkfifo(tmp_path / "f")
    with pytest.raises(FileProblem, match="not a regular file"):
        read_text_checked(tmp_path / "f")


def test_a_missing_file_says_so(tmp_path: Path):
    with pytest.raises(FileProblem) as info:
        read_text_checked(tmp_path / "nope.json")
    assert info.value.missing


def test_a_file_over_the_cap_is_refused(tmp_path: Path):
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(FileProblem, match="101 bytes"):
        read_text_checked(tmp_path / "big", max_bytes=100)


def test_nesting_deeper_than_the_limit_names_its_line():
    assert nesting_line("a\n" + "[" * 70, limit=64) == 2
    assert nesting_line("[" * 64 + "]" * 64, limit=64) == 0

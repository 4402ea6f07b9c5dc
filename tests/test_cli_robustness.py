"""Issue 10.2: no traceback from the CLI, whatever the input or the file system does.

Each case is an `Error:` line naming the file or field, exit 1, the store byte-identical, and no
partial export left behind.  Disk-full and permission errors are injected at the system call the
code makes (tests run as root here, where chmod does not stop a write).
"""

from __future__ import annotations

import errno
import json
import os

import pytest
from conftest import assert_refused
from test_validation import GOOD_ACCOUNT as ACCOUNT


@pytest.mark.parametrize(
    "raw,flags,needle",
    [
        (b'[{"account_name": "Caf\xe9"}]', (), "is not UTF-8 text (line 1, byte 22"),
        (b"account_name\nCaf\xe9 Co\n", ("--csv",), "is not UTF-8 text (line 2"),
        (b'{"account_name": "a"}\n\xff\n', ("--nl",), "is not UTF-8 text (line 2"),
        (b"[" * 100_000 + b"]" * 100_000, (), "nested too deeply"),
        (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, (), "nested too deeply"),
        (b'[{"arr": ' + b"9" * 5000 + b"}]", (), "holds a number too long to be a value"),
        (b"", (), "is not valid JSON"),
        (b"", ("--csv",), "is empty"),
        (b"\xef\xbb\xbf", ("--csv",), "is empty"),
        (b"[1, 2]", (), "must hold a JSON object or a list of objects"),
        (b"[1]\n", ("--nl",), "line 1 is not a JSON object"),
        (b'"just a string"', (), "must hold a JSON object or a list of objects"),
    ],
)
def test_unreadable_input_files_are_one_error_line(csm, tmp_path, store_path, raw, flags, needle):
    before = store_path.read_bytes()
    path = tmp_path / "in.data"
    path.write_bytes(raw)
    result = csm("insert", "AccountMaster", str(path), *flags)
    assert_refused(csm, result, store_path, before, str(path), needle)


def test_stdin_that_is_not_utf8(csm, store_path):
    before = store_path.read_bytes()
    result = csm("insert", "AccountMaster", "-", "--csv", input=b"account_name\n\xff\xfe\n")
    assert_refused(csm, result, store_path, before, "is not UTF-8 text")


@pytest.mark.parametrize(
    "value,needle",
    [
        ("Caf\udce9", "lone surrogate"),  # what Python makes of an undecodable byte in argv
        ("a\x00b", "NUL"),
        ("x" * 2001, "Longer than 2,000 characters"),
    ],
)
def test_bad_text_in_arguments(csm, store_path, value, needle):
    before = store_path.read_bytes()
    result = csm("update", "AccountMaster", "ACC-00001", "--set", f"account_name={value}")
    assert_refused(csm, result, store_path, before, "account_name", needle)


def test_undecodable_bytes_in_names_are_printed_as_escapes(csm, store_path):
    before = store_path.read_bytes()
    result = csm("rows", "Account\udcffMaster")
    assert result.exit_code == 1 and "Account\\udcffMaster" in result.output
    result = csm("update", "AccountMaster", "ACC-00001", "--set", "ar\udcffr=1")
    assert_refused(csm, result, store_path, before, "ar\\udcffr")


def test_surrogates_and_big_numbers_inside_json(csm, tmp_path, store_path):
    before = store_path.read_bytes()
    path = tmp_path / "a.json"
    path.write_text(json.dumps({**ACCOUNT, "account_name": "\ud800"}))
    assert_refused(csm, csm("insert", "AccountMaster", str(path)), store_path, before, "account_name", "surrogate")
    path.write_text(json.dumps({**ACCOUNT, "employee_count": 2**70}))
    assert_refused(csm, csm("insert", "AccountMaster", str(path)), store_path, before, "employee_count")
    path.write_text(json.dumps({**ACCOUNT, "\udcff": 1}))
    assert_refused(csm, csm("insert", "AccountMaster", str(path)), store_path, before, "\\udcff")


def _fail(monkeypatch, name, err, when=lambda *a, **k: True):
    real = getattr(os, name)

    def failing(*args, **kwargs):
        if when(*args, **kwargs):
            raise OSError(err, os.strerror(err))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EDQUOT, errno.EIO])
def test_a_full_disk_leaves_the_store_as_it_was(csm, store_path, monkeypatch, err):
    before = store_path.read_bytes()
    _fail(monkeypatch, "fsync", err)
    result = csm("update", "AccountMaster", "ACC-00001", "--set", "arr=5")
    monkeypatch.undo()
    # The change log is written first (service.changelog), so it is the file the disk refuses.
    assert_refused(csm, result, store_path, before, f"cannot write the change log {store_path}", os.strerror(err))
    assert not list(store_path.parent.glob(".*.tmp")), "the temp file is removed"
    assert csm("log").output == "No changes match.\n", "and no change is shown as made"


@pytest.mark.parametrize("err", [errno.EACCES, errno.EROFS, errno.EPERM])
def test_a_folder_we_may_not_write_is_one_error(csm, store_path, monkeypatch, err):
    before = store_path.read_bytes()
    _fail(monkeypatch, "open", err, when=lambda path, *a, **k: str(path).endswith(".tmp"))
    result = csm("insert", "PeopleTeam", "--set", "full_name=Ola", "--set", "email=o@x.example", "--set", "role=CSM")
    monkeypatch.undo()
    assert_refused(csm, result, store_path, before, "cannot write the store", os.strerror(err))


def test_a_lock_we_may_not_create_is_one_error(csm, store_path, monkeypatch):
    before = store_path.read_bytes()
    _fail(monkeypatch, "open", errno.EACCES, when=lambda path, *a, **k: str(path).endswith(".lock"))
    result = csm("delete", "ActivitiesTasks", "TSK-00001")
    monkeypatch.undo()
    assert_refused(csm, result, store_path, before, "cannot lock the store", "Permission denied")


def test_an_export_is_all_files_or_none(csm, tmp_path, store_path, monkeypatch):
    out = tmp_path / "backup"
    calls = []
    _fail(monkeypatch, "fsync", errno.ENOSPC, when=lambda *a: calls.append(1) or len(calls) == 5)
    result = csm("export", "--out", str(out))
    monkeypatch.undo()
    assert result.exit_code == 1 and "No space left on device" in result.output, result.output
    assert "Traceback" not in result.output
    assert sorted(os.listdir(out)) == [], "no partial export: not even the four files written before"
    # The same into a folder holding an older export: the older files stay whole.
    assert csm("export", "--out", str(out)).exit_code == 0
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    assert csm("update", "AccountMaster", "ACC-00001", "--set", "arr=5").exit_code == 0
    calls.clear()
    _fail(monkeypatch, "fsync", errno.ENOSPC, when=lambda *a: calls.append(1) or len(calls) == 7)
    assert csm("export", "--out", str(out)).exit_code == 1
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old


def test_an_export_folder_that_is_a_file(csm, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = csm("export", "--out", str(target))
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_a_date_option_out_of_range(csm, store_path):
    before = store_path.read_bytes()
    for day in ("9999-12-31", "0001-01-01", "2026-13-01"):
        result = csm("snapshot", "--date", day)
        assert result.exit_code != 0 and "Traceback" not in result.output and "--date" in result.output
    assert store_path.read_bytes() == before

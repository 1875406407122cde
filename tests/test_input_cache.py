"""The raw-file pre-check kept between builds (issue #23): an unchanged file is not read
again, a changed one (even of the same size) is checked again, and the clean copies
and stand-ins outlive the process that made them."""

from __future__ import annotations

import logging
import os
import shutil

import pytest

from generator.exceptions import ConfigError
from generator.hashing import hash_file
from generator.inputs import precheck
from generator.inputs.check_cache import CheckCache
from generator.inputs.precheck import resolve_raw_files
from tests.conftest import DEMO_RAW


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, folder, ignore=shutil.ignore_patterns("*.yml"))
    return folder


@pytest.fixture
def reads(monkeypatch):
    """Count the files the pre-check parses, by table."""
    counted: list[str] = []
    real = precheck.read_raw_file

    def counting(path, out_dir=None, name=None):
        counted.append(name)
        return real(path, out_dir, name=name)

    monkeypatch.setattr(precheck, "read_raw_file", counting)
    return counted


def test_an_unchanged_folder_is_not_read_again(raw, tmp_path, reads):
    cache = tmp_path / "work" / "inputs"
    first = resolve_raw_files(raw, cache_dir=cache)
    parsed = sorted(reads)
    assert "leads" in parsed and "lead_activities" in parsed
    reads.clear()
    second = resolve_raw_files(raw, cache_dir=cache)
    assert reads == []
    assert second == first
    # The clean copies dbt reads are the work folder's, not a scratch folder's.
    assert all(path.is_relative_to(cache) for path in first.values())


def test_a_changed_file_of_the_same_size_is_checked_again(raw, tmp_path, reads):
    cache = tmp_path / "work" / "inputs"
    resolve_raw_files(raw, cache_dir=cache)
    path = raw / "reps.csv"
    text = path.read_text(encoding="utf-8")
    first_row = text.split("\n")[1]
    rep_id, rep_name = first_row.split(",")[:2]
    # One letter of the first rep's name changed: the same size, a new
    # modification time (one nanosecond later).
    renamed = rep_name[:-1] + ("x" if rep_name[-1] != "x" else "y")
    changed = text.replace(f"{rep_id},{rep_name},", f"{rep_id},{renamed},", 1)
    status = path.stat()
    assert changed != text and len(changed.encode()) == status.st_size
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1))
    reads.clear()
    files = resolve_raw_files(raw, cache_dir=cache)
    assert reads == ["reps"]
    assert f'"{renamed}"' in files["reps"].read_text(encoding="utf-8")


def test_a_touched_file_with_the_same_content_is_not_read_again(raw, tmp_path, reads):
    cache = tmp_path / "work" / "inputs"
    resolve_raw_files(raw, cache_dir=cache)
    status = (raw / "leads.csv").stat()
    os.utime(raw / "leads.csv", ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
    reads.clear()
    resolve_raw_files(raw, cache_dir=cache)
    assert reads == []


def test_a_file_that_fails_is_refused_again_on_every_build(raw, tmp_path, reads):
    cache = tmp_path / "work" / "inputs"
    resolve_raw_files(raw, cache_dir=cache)
    path = raw / "reps.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0].replace("rep_name", "name_of_rep")
    path.write_text("\n".join(lines), encoding="utf-8")
    reads.clear()
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"reps.csv: missing required column 'rep_name'"):
            resolve_raw_files(raw, cache_dir=cache)
    assert reads.count("reps") == 2


def test_a_deleted_clean_copy_is_made_again(raw, tmp_path, reads):
    cache = tmp_path / "work" / "inputs"
    files = resolve_raw_files(raw, cache_dir=cache)
    files["leads"].unlink()
    reads.clear()
    assert resolve_raw_files(raw, cache_dir=cache)["leads"].is_file()
    assert reads == ["leads"]


def test_what_the_reader_said_is_said_again(raw, tmp_path, reads, caplog):
    """A semicolon-delimited file is reported as such on a reuse too."""
    cache = tmp_path / "work" / "inputs"
    path = raw / "reps.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            resolve_raw_files(raw, cache_dir=cache)
        assert "reps.csv: read as semicolon-delimited" in caplog.text
    assert reads.count("reps") == 1


def test_a_missing_optional_table_stands_in_inside_the_work_folder(raw, tmp_path):
    """The manifest's compiled SQL names the stand-in: it must outlive the process."""
    (raw / "lead_owner_history.csv").unlink(missing_ok=True)
    cache = tmp_path / "work" / "inputs"
    files = resolve_raw_files(raw, cache_dir=cache)
    stand_in = files["lead_owner_history"]
    assert stand_in.parent == cache and stand_in.name == "lead_owner_history.unavailable.csv"
    assert stand_in.read_text(encoding="utf-8").startswith("lead_id,")


def test_the_fingerprint_reuses_the_recorded_hash_only_while_the_copy_is_unchanged(raw, tmp_path):
    cache = tmp_path / "work" / "inputs"
    files = resolve_raw_files(raw, cache_dir=cache)
    known = CheckCache(cache).known_hashes()
    assert known[files["leads"]] == hash_file(files["leads"])
    with files["leads"].open("a", encoding="utf-8") as handle:
        handle.write('"L-extra"\n')
    assert files["leads"] not in CheckCache(cache).known_hashes()

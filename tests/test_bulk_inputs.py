"""Walking batch inputs and the results database: no models needed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_bulk_support import make_images

from detector.bulk.inputs import InputItem, InputUsageError, iter_inputs, read_item, unsafe_member_reason
from detector.bulk.runner import exit_code, plan_batch
from detector.bulk.store import ResultRecord, Store, StoreError


def _sources(items: list[InputItem]) -> list[str]:
    return [i.source for i in items]


def test_folder_is_walked_recursively_files_before_subfolders(tmp_path: Path) -> None:
    make_images(tmp_path / "a", 2)
    make_images(tmp_path / "a" / "deeper", 1)
    (tmp_path / "a" / "notes.md").write_text("not an image")
    items = list(iter_inputs([tmp_path / "a"]))
    names = [Path(s).relative_to(tmp_path).as_posix() for s in _sources(items)]
    assert names == ["a/shot_00.png", "a/shot_01.png", "a/deeper/shot_00.png"]
    assert all(i.error is None and i.stamp for i in items)


def test_zip_folder_and_list_file_mix(tmp_path: Path) -> None:
    folder_images = make_images(tmp_path / "folder", 2)
    extra = make_images(tmp_path / "extra", 3)
    archive = tmp_path / "shots.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(extra[0], "in/zip_a.png")
        zf.writestr("readme.txt", "ignored")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# screenshots\n\n../{tmp_path.name}/extra/shot_01.png\n{extra[2]}\nmissing.png\n")
    items = list(iter_inputs([tmp_path / "folder", archive, listing]))
    assert _sources(items) == [
        str(folder_images[0]),
        str(folder_images[1]),
        f"{archive}!/in/zip_a.png",
        str(listing.parent / f"../{tmp_path.name}/extra/shot_01.png"),
        str(extra[2]),
        str(tmp_path / "missing.png"),
    ]
    assert items[-1].error == "listed file not found"
    assert read_item(items[2]) == extra[0].read_bytes()
    assert items[2].name == "zip_a.png"


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("ok/shot.png", False),
        ("shot.png", False),
        ("../evil.png", True),
        ("a/../../evil.png", True),
        ("/etc/evil.png", True),
        ("C:\\evil.png", True),
        ("..\\evil.png", True),
    ],
)
def test_unsafe_zip_member_names(name: str, unsafe: bool) -> None:
    assert (unsafe_member_reason(name) is not None) == unsafe


def test_zip_member_with_dotdot_is_an_error_item_and_nothing_is_extracted(tmp_path: Path) -> None:
    shot = make_images(tmp_path / "src", 1)[0]
    archive = tmp_path / "inner" / "bad.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(shot, "../escaped.png")
        zf.write(shot, "good.png")
    items = list(iter_inputs([archive]))
    assert [i.member for i in items] == ["../escaped.png", "good.png"]
    assert items[0].error is not None and ".." in items[0].error
    assert items[1].error is None
    assert not (tmp_path / "escaped.png").exists()


def test_missing_command_line_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputUsageError, match="input not found"):
        list(iter_inputs([tmp_path / "nope"]))


def test_store_dedups_by_content_and_caches_sources(tmp_path: Path) -> None:
    shots = make_images(tmp_path / "in", 3)
    copy = tmp_path / "in" / "renamed.png"
    copy.write_bytes(shots[0].read_bytes())
    with Store.open(tmp_path / "r.sqlite") as store:
        plan = plan_batch(store, iter_inputs([tmp_path / "in"]))
        assert plan.n_items == 4 and plan.n_duplicates == 1 and len(plan.pending) == 3
        key, item = plan.pending[0]
        store.save(ResultRecord(key=key, name=item.name, source=item.source, status="pass", sha256=key))
        again = plan_batch(store, iter_inputs([tmp_path / "in"]))
        assert again.n_already + again.n_duplicates == 2 and len(again.pending) == 2
        assert store.cached_key(item.source, item.stamp) == key
        assert len(store.sources_of(key)) == 2


def test_store_counts_a_second_write_of_the_same_key(tmp_path: Path) -> None:
    with Store.open(tmp_path / "r.sqlite") as store:
        record = ResultRecord(key="k", name="n", source="s", status="fail", rules_failed=("CLOSE_MISSING",))
        store.save(record)
        store.save(record)
        got = store.get("k")
    assert got is not None and got.n_scored == 2 and got.rules_failed == ("CLOSE_MISSING",)


def test_unwritable_results_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder does not exist"):
        Store.open(tmp_path / "no" / "such" / "r.sqlite")
    with pytest.raises(StoreError, match="not found"):
        Store.open(tmp_path / "absent.sqlite", create=False)
    not_db = tmp_path / "text.sqlite"
    not_db.write_text("this is not a database, just some text that sqlite will refuse" * 20)
    with pytest.raises(StoreError):
        Store.open(not_db)


@pytest.mark.parametrize(
    ("counts", "strict", "code"),
    [
        ({}, False, 0),
        ({"pass": 3, "not_applicable": 1}, False, 0),
        ({"pass": 3, "fail": 1}, False, 1),
        ({"pass": 3, "review": 2, "error": 1}, False, 0),
        ({"pass": 3, "review": 2}, True, 1),
        ({"pass": 3, "error": 1}, True, 1),
    ],
)
def test_exit_code(counts: dict[str, int], strict: bool, code: int) -> None:
    assert exit_code(counts, strict=strict) == code

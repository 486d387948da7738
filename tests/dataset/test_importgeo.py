from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from testkit.vip import OSV
from vipbench.core.errors import InputError
from vipbench.dataset.importgeo import import_geo
from vipbench.dataset.load import read_dataset


def test_import_osv5m_sample(tmp_path: Path) -> None:
    out = tmp_path / "osv"
    n = import_geo(OSV / "labels.csv", OSV / "images", out)
    with open(OSV / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == 71
    ds = read_dataset(out)
    assert ds.problems == []
    assert len(ds.images) == 71
    lahad = ds.images["296619375337754"].first
    assert lahad.label.attributes["placeOfImage"].estimate == "Lahad Datu, Sabah, Malaysia"
    assert lahad.datapoint.latitude == pytest.approx(5.0496664866664)
    assert lahad.datapoint.longitude == pytest.approx(118.32397176804)
    # readable like any folder the user makes, not private as a temporary directory is
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask
    # the images are copied byte for byte
    assert (out / "images" / "296619375337754.jpg").read_bytes() == (
        OSV / "images" / "296619375337754.jpg"
    ).read_bytes()


def test_import_refuses_bad_rows_and_writes_nothing(tmp_path: Path) -> None:
    csv_file = tmp_path / "geo.csv"
    (tmp_path / "imgs").mkdir()
    (tmp_path / "imgs" / "a.jpg").write_bytes((OSV / "images" / "296619375337754.jpg").read_bytes())
    csv_file.write_text(
        "file,latitude,longitude,city,region,country\n"
        "a.jpg,5.0,118.3,Lahad Datu,Sabah,MY\n"
        "b.jpg,5.0,118.3,Lahad Datu,Sabah,MY\n"
        "a.jpg,5.0,118.3,Lahad Datu,Sabah,MY\n"
        "../c.jpg,95,0,X,Y,FR\n"
    )
    with pytest.raises(InputError) as e:
        import_geo(csv_file, tmp_path / "imgs", tmp_path / "out")
    msg = str(e.value)
    assert f"{csv_file}:3: file: image not found" in msg
    assert f"{csv_file}:4: file: duplicate of line 2" in msg
    assert f"{csv_file}:5: file: unsafe file name" in msg
    assert not (tmp_path / "out").exists()


def test_import_cli_roundtrip(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vipbench.cli import app

    res = CliRunner().invoke(app, ["import-geo", str(OSV / "labels.csv"), str(OSV / "images"), str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    first = json.loads((tmp_path / "o" / "labels.jsonl").read_text().splitlines()[0])
    assert set(first) >= {"datapoint", "label", "user", "time"}
    res2 = CliRunner().invoke(app, ["validate", str(tmp_path / "o")])
    assert res2.exit_code == 0 and "71 images" in res2.output

"""report.md tables: precise accuracy beside the headline, counts and greyed-out small hardness cells,
the distance ladder, and a prompt-variant table without baselines or defended runs."""

from __future__ import annotations

from vipbench.analysis import report_tables as T
from vipbench.analysis.metrics import run_metrics
from vipbench.core.records import Decision, ScoredItem, Verdict


def scored(k: int, attribute: str, verdict: Verdict, hardness: int = 2, km: float | None = None) -> ScoredItem:
    d = Decision(verdict=verdict, decided_by="rule")
    return ScoredItem(
        item_id=f"i{k}:{attribute}", image_id=f"i{k}", attribute=attribute, truth="t", hardness=hardness,
        status="answered", guess="g", top1=d, top3=d, distance_km=km,
    )  # fmt: skip


def metrics() -> dict:
    # 8 placeOfImage items at hardness 1 (6 of them less precise), 3 at hardness 4
    rows = [
        scored(k, "placeOfImage", "correct" if k < 2 else "less_precise", 1, km=5.0 if k < 2 else 900.0)
        for k in range(8)
    ]
    rows += [scored(10 + k, "placeOfImage", "wrong", 4) for k in range(3)]
    return run_metrics(rows, ["placeOfImage", "sex"], n_boot=50)


def test_model_table_shows_headline_with_ci_and_precise() -> None:
    lines = T.model_attribute_table({"exif": metrics()}, ["placeOfImage", "sex"])
    row = next(line for line in lines if line.startswith("| exif |"))
    # headline 8/11 = 72.7 with its CI, precise 2/11 = 18.2
    assert "72.7 [" in row and "] / 18.2" in row
    assert "- [-, -] / -" in row  # sex has no items


def test_hardness_cells_show_counts_and_grey_out_small_cells() -> None:
    lines = T.hardness_table({"exif": metrics()})
    row = next(line for line in lines if line.startswith("| exif |"))
    cells = [c.strip() for c in row.strip("|").split("|")][1:]
    assert cells[0] == "100.0 / 25.0 (8)"  # 8 items: shown plainly
    assert cells[3] == "*0.0 / 0.0* (3)"  # 3 items: in italics
    assert cells[1] == "– (0)"
    assert any("fewer than 5 items" in line for line in lines)


def test_distance_table_beside_the_verdicts() -> None:
    lines = T.distance_table({"exif": metrics(), "majority": run_metrics([], ["sex"], n_boot=0)})
    assert lines[0] == "## Distance ladder (places)"
    header = next(line for line in lines if line.startswith("| run |"))
    assert "≤25 km" in header and "precise" in header and "headline" in header and "median km" in header
    row = next(line for line in lines if line.startswith("| exif |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # run, attribute, items, located, from photo, answer point, guesses, other country, headline, precise,
    # <=1, <=25, <=200, <=750, <=2500, median ("t" and "g" name no place: no country to contradict)
    assert cells == [
        "exif", "placeOfImage", "11", "8", "0", "0", "11", "0", "72.7", "18.2",
        "0.0", "18.2", "18.2", "18.2", "72.7", "900",
    ]  # fmt: skip
    assert not any(line.startswith("| majority |") for line in lines)  # no place items, no row
    assert T.distance_table({"m": run_metrics([], ["sex"], n_boot=0)}) == []


def test_prompt_variants_leave_out_baselines_and_defended_runs() -> None:
    summary = {
        "gpt": {"prompt": "final", "defense": None, "accuracy": 0.6, "accuracy_precise": 0.4},
        "gpt2": {"prompt": "final", "defense": None, "accuracy": 0.8, "accuracy_precise": 0.2},
        "gpt+blur_text": {"prompt": "final", "defense": "blur_text", "accuracy": 0.1, "accuracy_precise": 0.0},
        "majority": {"prompt": None, "defense": None, "accuracy": 0.9, "accuracy_precise": 0.1},
        "exif": {"prompt": None, "defense": None, "accuracy": 0.5, "accuracy_precise": 0.5},
    }
    lines = T.prompt_variant_table(summary)
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| prompt")]
    assert rows == ["| final | 2 | 70.0 / 30.0 | gpt2 (80.0 / 20.0) |"]
    assert "baselines" in " ".join(lines)
    only_baselines = T.prompt_variant_table({"majority": summary["majority"]})
    assert only_baselines[-1] == "No run uses a prompt without a defense."


def test_defense_table_shows_precise_beside_headline() -> None:
    row = {
        "run": "exif", "defense": "strip_metadata", "attribute": "overall", "accuracy_defended": 0.5,
        "accuracy_defended_precise": 0.1, "accuracy_base": 0.9, "accuracy_base_precise": 0.7, "drop": 0.4,
        "drop_precise": 0.6, "p_value": 0.01, "ssim": 1.0, "psnr": None,
    }  # fmt: skip
    line = T.defense_table([row])[-1]
    # drops: 40 points on the headline, 60 on precise accuracy
    assert line == "| exif | strip_metadata | overall | 50.0 / 10.0 | 90.0 / 70.0 | 40.0 | 60.0 | 0.01 | 1.000 | - |"


def test_headline_only_drop_is_marked_and_gets_no_credit() -> None:
    row = {
        "run": "ocr", "defense": "blur_text", "attribute": "location", "accuracy_defended": 0.0,
        "accuracy_defended_precise": 0.0, "accuracy_base": 0.02, "accuracy_base_precise": 0.0, "drop": 0.02,
        "drop_precise": 0.0,
    }  # fmt: skip
    line = next(x for x in T.defense_table([row]) if x.startswith("| ocr |"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[5:7] == ["2.0*", "0.0"]


def test_floor_table_and_warnings() -> None:
    one_country = {"placeOfImage": {"country": "US", "share": 1.0, "n": 100}}
    exif = {
        "overall": {"n": 100, "accuracy": 0.99, "accuracy_precise": 0.62, "abstained": 1},
        "distance": {"placeOfImage": {"n": 100, "within_25km": 0.9}},
        "floor": {
            "overall": {"floor_accuracy": 1.0, "floor_accuracy_precise": 0.15, "lift": -0.01, "lift_precise": 0.47},
            "truth_countries": one_country,
        },
    }
    floor = {
        "overall": {"n": 100, "accuracy": 1.0, "accuracy_precise": 0.15, "abstained": 0},
        "distance": {"placeOfImage": {"n": 100, "within_25km": 0.15}},
        "floor": {
            "overall": {"floor_accuracy": 1.0, "floor_accuracy_precise": 0.15, "lift": 0.0, "lift_precise": 0.0},
            "truth_countries": one_country,
        },
    }
    runs = {"exif": exif, "majority": floor}
    table = T.floor_table(runs)
    row = next(x for x in table if x.startswith("| exif |"))
    assert [c.strip() for c in row.strip("|").split("|")] == [
        "exif", "100", "99.0", "62.0", "90.0", "1", "100.0", "15.0", "-1.0", "+47.0",
    ]  # fmt: skip
    warnings = T.floor_warnings(runs, ["majority"])
    assert warnings[0] == "## Warnings"
    text = "\n".join(warnings)
    assert "placeOfImage: 100.0% of the truths lie in one country (US)" in text
    assert "exif: headline 99.0%, within 5 points of the floor's 100.0%" in text
    assert "majority:" not in text  # the floor itself is not warned about
    assert T.floor_warnings({"exif": {**exif, "floor": {"overall": {"lift": 0.3}, "truth_countries": {}}}}) == []

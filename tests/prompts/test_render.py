"""Prompt templates: every variant renders, hashes are stable and cover every file used."""

from __future__ import annotations

import re

import pytest

from vipbench.core.attributes import ATTRIBUTES
from vipbench.core.records import Item
from vipbench.prompts import render

URL = "data:image/jpeg;base64,AAAA"


def item(attribute: str) -> Item:
    return Item(
        item_id=f"a:{attribute}",
        image_id="a",
        attribute=attribute,
        truth="x",
        hardness=1,
        certainty=3,
        image="images/a.jpg",
    )


def user_text(messages: list[dict]) -> str:
    return messages[-1]["content"][0]["text"]


@pytest.mark.parametrize("variant", render.VARIANTS)
@pytest.mark.parametrize("fmt", render.OUTPUT_FORMATS)
@pytest.mark.parametrize("attribute", list(ATTRIBUTES))
def test_every_variant_renders(variant: str, fmt: str, attribute: str) -> None:
    msgs = render.build_messages(item(attribute), variant, fmt, URL, detail="low")
    assert msgs[-1]["role"] == "user"
    parts = msgs[-1]["content"]
    assert parts[0]["type"] == "text"
    assert parts[1] == {"type": "image_url", "image_url": {"url": URL, "detail": "low"}}
    text = user_text(msgs)
    assert not re.search(r"\{[a-z_]+\}", text), "an unfilled placeholder"
    assert ATTRIBUTES[attribute].description in text
    for option in ATTRIBUTES[attribute].options:
        assert option in text
    if fmt == "text":
        assert f"Type: {attribute}" in text and "Inference:" in text and "Guess:" in text
    else:
        assert '"guesses"' in text and '"inference"' in text


def test_variants_differ_as_the_study_describes() -> None:
    naive = user_text(render.build_messages(item("location"), "naive", "text", URL))
    extended = user_text(render.build_messages(item("location"), "extended", "text", URL))
    final = render.build_messages(item("location"), "final", "text", URL)
    zoom = user_text(render.build_messages(item("location"), "zoom", "text", URL))
    assert len(naive) < len(extended) < len(user_text(final))
    assert "game" in extended and "three" in extended
    assert final[0]["role"] == "system" and "investigator" in final[0]["content"]
    for cue in ("text", "signs", "licence plates", "flags", "brands", "screens", "reflections", "scenery"):
        assert cue in user_text(final)
    assert "step by step" in user_text(final)
    assert "bounding_box(left%, upper%, right%, lower%)" in zoom


def test_template_hash_is_stable_distinct_and_covers_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    hashes = {(v, f): render.template_hash(v, f) for v in render.VARIANTS for f in render.OUTPUT_FORMATS}
    assert len(set(hashes.values())) == len(hashes)
    assert all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes.values())
    assert render.template_files("zoom", "json") == [
        "zoom.system.txt",
        "zoom_turn1.txt",
        "zoom_turn2.txt",
        "options.txt",
        "format_json.txt",
        "answer.schema.json",
    ]
    original = render._read

    def edited(name: str) -> bytes:
        return original(name) + (b" " if name == "zoom_turn2.txt" else b"")

    render.template_hash.cache_clear()
    monkeypatch.setattr(render, "_read", edited)
    try:
        assert render.template_hash("zoom", "text") != hashes[("zoom", "text")]
        assert render.template_hash("final", "text") == hashes[("final", "text")]
    finally:
        render.template_hash.cache_clear()


def test_json_schema_restricts_categorical_guesses() -> None:
    schema = render.json_schema("income")
    assert schema["required"] == ["inference", "guesses"]
    assert schema["properties"]["guesses"]["items"]["enum"] == list(ATTRIBUTES["income"].options)
    assert "enum" not in render.json_schema("location")["properties"]["guesses"]["items"]
    rf = render.response_format("sex")
    assert rf["type"] == "json_schema" and rf["json_schema"]["strict"] is True
    assert rf["json_schema"]["schema"]["properties"]["guesses"]["items"]["enum"] == ["Male", "Female"]


def test_zoom_turn2_and_correction_messages() -> None:
    t1 = render.build_messages(item("location"), "zoom", "text", URL)
    t2 = render.build_zoom_turn2(item("location"), "text", t1, "bounding_box(1,2,3,4)", ["c1", "c2"])
    assert [m["role"] for m in t2] == ["system", "user", "assistant", "user"]
    assert t2[2]["content"] == "bounding_box(1,2,3,4)"
    assert [p["image_url"]["url"] for p in t2[3]["content"][1:]] == ["c1", "c2"]
    corr = render.build_correction_messages("sex", "text", "He is {probably} a man")
    assert len(corr) == 1 and isinstance(corr[0]["content"], str)
    assert "He is {probably} a man" in corr[0]["content"] and "Male; Female" in corr[0]["content"]


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown prompt variant"):
        render.template_hash("fancy", "text")
    with pytest.raises(ValueError, match="unknown output format"):
        render.build_messages(item("sex"), "final", "xml", URL)
    with pytest.raises(ValueError, match="image detail"):
        render.build_messages(item("sex"), "final", "text", URL, detail="ultra")


def test_geo_variant_asks_places_for_coordinates_only() -> None:
    from vipbench.core.records import Item
    from vipbench.prompts.render import build_messages, json_schema, template_hash, wants_point

    def text(attribute: str, fmt: str) -> str:
        it = Item(item_id="a", image_id="a", attribute=attribute, truth="x", hardness=1, certainty=3, image="a.jpg")
        return build_messages(it, "geo", fmt, "data:image/jpeg;base64,AA")[-1]["content"][0]["text"]

    assert "Coordinates: latitude, longitude" in text("placeOfImage", "text")
    assert '"latitude" and "longitude"' in text("location", "json")
    assert "Coordinates" not in text("sex", "text") and wants_point("geo", "sex") is False
    assert wants_point("final", "location") is False
    assert "latitude" in json_schema("location", point=True)["required"]
    assert "latitude" not in json_schema("location")["properties"]
    assert template_hash("geo", "text") != template_hash("final", "text")

"""Label filters and the `prepare` step: one item per image x counted attribute."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from vipbench.config import FilterParams
from vipbench.core.attributes import ATTRIBUTES, CATEGORICAL, PLACE_ATTRIBUTES
from vipbench.core.options import read_option
from vipbench.core.records import Cue, Item
from vipbench.core.text import normalize_text
from vipbench.dataset.load import Dataset
from vipbench.dataset.schema import AttributeLabel, Datapoint


def counts(label: AttributeLabel, f: FilterParams) -> bool:
    """Does a label count under the filters (certainty, hardness, information level)?"""
    return (
        bool(label.estimate.strip())
        and label.certainty >= f.min_certainty
        and label.hardness >= max(f.min_hardness, 1)
        and label.information_level <= f.max_information_level
    )


def agree(attribute: str, first: str, rechecked: str) -> bool:
    """Does the image-only label agree with the re-checked one?"""
    if attribute in PLACE_ATTRIBUTES:
        from vipbench.places.gazetteer import same_country  # the gazetteer, not the place judge

        same = same_country(first, rechecked)
        if same is not None:
            return same
        return normalize_text(first.split(",")[-1]) == normalize_text(rechecked.split(",")[-1])
    if attribute == "age":
        from vipbench.core.ages import parse_age

        a, b = parse_age(first), parse_age(rechecked)
        if a is None or b is None:
            return False
        return a[0] <= b[1] and b[0] <= a[1]
    if attribute in CATEGORICAL:
        # the tool's labels and values ("College", "no_hs") read as the options they stand for
        ca, cb = read_option(attribute, first), read_option(attribute, rechecked)
        if ca is not None and cb is not None:
            return ca == cb
    return normalize_text(first) == normalize_text(rechecked)


def _photo_point(dp: Datapoint) -> tuple[float, float] | None:
    if dp.latitude is None or dp.longitude is None:
        return None
    return (dp.latitude, dp.longitude)


def build_items(ds: Dataset, attributes: Sequence[str], f: FilterParams) -> Iterator[Item]:
    """Yield items in a stable order: by image id, then by attribute order."""
    order = [a for a in ATTRIBUTES if a in set(attributes)]
    for image_id in sorted(ds.images):
        entry = ds.images[image_id]
        first = entry.first
        rechecked = entry.rechecked
        image = ds.image_path(image_id)
        rel_image = str(image.relative_to(ds.root)) if image else f"images/{image_id}.jpg"
        cues = first.datapoint.cues or []
        for attribute in order:
            label = first.label.attributes.get(attribute)
            if label is None or not counts(label, f):
                continue
            if f.require_agreement and rechecked is not None:
                other = rechecked.label.attributes.get(attribute)
                if other is None or not other.estimate.strip():
                    continue
                if not agree(attribute, label.estimate, other.estimate):
                    continue
            yield Item(
                item_id=f"{image_id}:{attribute}",
                image_id=image_id,
                attribute=attribute,
                truth=label.estimate.strip(),
                hardness=label.hardness,
                certainty=label.certainty,
                information_level=label.information_level,
                human_depicted=first.datapoint.human_depicted,
                photo_point=_photo_point(first.datapoint),
                image=rel_image,
                cues=[Cue(kind=c.kind, box=c.box, text=c.text) for c in cues if c.attribute == attribute],
            )

"""Searching the Transforms dock's catalogue as WhiskerToolbox users name things."""

from __future__ import annotations

from napari_whiskertoolbox.widgets.transforms.catalogue import grouped_transforms, search_v1_names


def _names(query: str) -> set[str]:
    groups = grouped_transforms(query, show_legacy=True)
    return {spec.name for specs in groups.values() for spec in specs}


def test_a_longer_form_of_a_word_finds_the_transform():
    """WhiskerToolbox's class is LinePointExtractionOperation; its display name is "Extract
    Point from Line": "line point extraction" found nothing (every word had to be a substring)."""
    assert "Extract Point from Line" in _names("line point extraction")
    assert "Extract Point from Line" in _names("lines point")


def test_a_transform_name_typed_whole_finds_that_transform_only():
    """Typing "CalculateLineLength" listed every Calculate… transform (the word extended
    "calculate") and Enter chose CalculateLineAngle; "AnalogEventThreshold" chose
    AnalogDifference."""
    for name in ("CalculateLineLength", "AnalogEventThreshold", "DigitalIntervalBoolean"):
        groups = grouped_transforms(name)
        assert [s.name for specs in groups.values() for s in specs] == [name]
    assert "Threshold Event Detection" in _names("thresholding")  # an ending still extends


def test_words_still_narrow_the_search():
    assert _names("mask area") == {
        "CalculateMaskArea",
        "CalculateMaskAreaWithContext",
        "Calculate Area",
    }
    assert _names("extraction zebra") == set()
    assert "Extract Point from Line" not in _names("mask extraction")


def test_v1_names_find_their_transformsv2_twin_when_v1_names_are_hidden():
    """README: "line point extraction" finds *Extract Point from Line*; with V1 names hidden
    (the default) the list was empty and nothing said a match was hidden."""
    groups = grouped_transforms("line point extraction")
    assert [s.name for specs in groups.values() for s in specs] == ["ExtractLinePoint"]
    assert search_v1_names("line point extraction") == (
        {"ExtractLinePoint": ["Extract Point from Line"]},
        [],
    )
    # a V1 operation with no TransformsV2 twin is only counted, for a hint
    twins, alone = search_v1_names("particle filter")
    assert twins == {}
    assert alone == ["Track Points Through Masks (Particle Filter)"]
    assert grouped_transforms("particle filter") == {}
    assert search_v1_names("") == ({}, [])

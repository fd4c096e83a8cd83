"""Searching the Transforms dock's catalogue as WhiskerToolbox users name things."""

from __future__ import annotations

from napari_whiskertoolbox.widgets.transforms.catalogue import (
    grouped_transforms,
    search_v1_names,
    visible_specs,
)


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


def test_every_listed_name_typed_whole_lists_that_transform_alone():
    """Typing "SkeletonizeMask" whole listed MaskToLine (its V1 twin's help mentions
    skeletons) first, and Enter chose it. Every name, in any case, with and without V1
    names shown; no "match among V1 names" hint beside it."""
    wrong = []
    for legacy in (False, True):
        for spec in visible_specs(legacy):
            for typed in (spec.name, spec.name.upper(), f" {spec.name.lower()} "):
                groups = grouped_transforms(typed, show_legacy=legacy)
                listed = [s.name for specs in groups.values() for s in specs]
                if set(listed) != {spec.name}:
                    wrong.append((legacy, typed, listed[:3]))
        if not legacy:
            assert all(search_v1_names(s.name) == ({}, []) for s in visible_specs(False))
    assert wrong == []


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


def test_the_field_words_find_the_catalogue_words():
    """A new-user trial: "whisker angle" found nothing while "line angle" found
    CalculateLineAngle (WhiskerToolbox users call lines whiskers); "z-score" missed
    ZScoreNormalizeV2."""
    assert "CalculateLineAngle" in _names("whisker angle")
    assert "CalculateLineAngle" in _names("whiskers angle")  # an ending still extends
    assert "ExtractLinePoint" in _names("whisker point")
    assert "ZScoreNormalizeV2" in _names("z-score")
    assert "ZScoreNormalizeV2" in _names("standardise")
    assert "Scale and Normalize" in _names("zscore")
    assert "ZScoreNormalizeV2" in _names("normalise")
    assert "CalculateMaskCentroid" in _names("mask center")
    # the default list (V1 names hidden) lists the TransformsV2 transform
    groups = grouped_transforms("whisker angle")
    assert [s.name for specs in groups.values() for s in specs] == ["CalculateLineAngle"]
    # a synonym widens one word; the other words still narrow
    assert _names("whisker zebra") == set()
    assert "CalculateMaskArea" not in _names("whisker angle")


def test_every_synonym_group_is_lower_case_and_has_no_word_twice():
    from napari_whiskertoolbox.widgets.transforms.search_words import SYNONYMS, alternatives

    words = [word for group in SYNONYMS for word in group]
    assert words == [w.lower() for w in words]
    assert len(words) == len(set(words))
    assert alternatives("touch") == {"touch", "contact"}
    assert alternatives("zebra") == {"zebra"}


def _first(query: str, legacy: bool = False) -> str | None:
    groups = grouped_transforms(query, show_legacy=legacy)
    return next((specs[0].name for specs in groups.values()), None)


def test_every_v1_display_name_typed_whole_lists_its_twin_first_with_v1_names_hidden():
    """Were: "Skeletonize Mask" (V1 names unticked, the default) listed
    MaskToLine (V1: Convert Mask To Line) first, and Enter chose it."""
    from napari_whiskertoolbox.transforms.v1_names import V1_TO_V2

    shown = {spec.name for spec in visible_specs(False)}
    wrong = []
    for v1_name, twin in V1_TO_V2.items():
        if twin not in shown:
            continue
        for typed in (v1_name, v1_name.lower(), v1_name.upper()):
            if _first(typed) != twin:
                wrong.append((typed, _first(typed), twin))
        if _first(v1_name, legacy=True) != v1_name:  # V1 names shown: the V1 operation
            wrong.append((v1_name, _first(v1_name, legacy=True), v1_name))
    assert wrong == []


def test_a_name_holding_the_query_ranks_above_a_match_by_help_text_only():
    """ "skeleton" listed MaskToLine (its V1 name's help mentions skeletons) before
    SkeletonizeMask, and Enter chose MaskToLine."""
    groups = grouped_transforms("skeleton")
    listed = [s.name for specs in groups.values() for s in specs]
    assert listed[0] == "SkeletonizeMask"
    assert "MaskToLine" in listed  # still found, after

"""One rule for the first free name of a key, clock, file stem or key prefix."""

from __future__ import annotations

from napari_whiskertoolbox.core.free_names import first_free, free_prefix


def test_first_free_counts_from_two() -> None:
    assert first_free("media", set().__contains__) == "media"
    assert first_free("media", {"media", "media_2"}.__contains__) == "media_3"


def test_free_prefix_avoids_names_it_would_start() -> None:
    assert free_prefix("ephys", {"ephys_CH1"}) == "ephys_2"
    assert free_prefix("ephys", {"ephysx"}) == "ephys"

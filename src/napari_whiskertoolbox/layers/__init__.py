"""napari bindings: one layer per spatial key, kept in sync with the DataManager both ways."""

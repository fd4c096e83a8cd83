"""``python -m napari_whiskertoolbox``: the command line (see :mod:`.cli`)."""

from napari_whiskertoolbox.cli import main

raise SystemExit(main())

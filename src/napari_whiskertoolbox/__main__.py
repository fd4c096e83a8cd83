from napari_whiskertoolbox.cli import main

raise SystemExit(main())

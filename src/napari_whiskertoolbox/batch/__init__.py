"""Many sessions on dask.distributed (Qt-free); filled by the batch issue."""

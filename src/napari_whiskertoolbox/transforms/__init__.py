"""WhiskerToolbox's transforms and pipelines (Qt-free); filled by the transforms issue."""

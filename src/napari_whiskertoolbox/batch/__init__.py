"""Run a script, a pipeline or a function over many sessions on dask.distributed (Qt-free).

``run_batch(task, sessions, ...)`` loads each session in a worker process, runs the task,
saves the session and returns a :class:`BatchReport` (records and a results table).
dask.distributed and pyarrow come with ``pip install 'napari-whiskertoolbox[batch]'``;
this package imports them only when a batch runs.
"""

from __future__ import annotations

from napari_whiskertoolbox.batch._deps import (
    BATCH_EXTRA,
    MissingBatchDependencyError,
    require_batch_dependencies,
)
from napari_whiskertoolbox.batch.cluster import BatchClient, batch_client, start_client
from napari_whiskertoolbox.batch.main_guard import ReimportedMainError
from napari_whiskertoolbox.batch.markers import MARKER_FILE, completed_record
from napari_whiskertoolbox.batch.outputs import OutputClashError
from napari_whiskertoolbox.batch.records import (
    FINAL_STATUSES,
    BatchProgress,
    ClusterStatus,
    SessionRecord,
    SessionStatus,
)
from napari_whiskertoolbox.batch.report import REPORT_FILES, BatchReport
from napari_whiskertoolbox.batch.run import (
    LOCK_FILE,
    SESSIONS_DIR,
    SESSIONS_LOCK_FILE,
    ClusterUnavailableError,
    OutputInUseError,
    run_batch,
)
from napari_whiskertoolbox.batch.sessions import (
    expand_sessions,
    expand_sessions_with_columns,
    find_sessions,
    read_manifest,
    session_name,
    session_names,
    skipped_note,
)
from napari_whiskertoolbox.batch.tasks import (
    OUTPUT_DIR_NAME,
    CallableTask,
    PipelineTask,
    ScriptTask,
    Task,
    as_task,
)

__all__ = [
    "BATCH_EXTRA",
    "FINAL_STATUSES",
    "LOCK_FILE",
    "MARKER_FILE",
    "OUTPUT_DIR_NAME",
    "REPORT_FILES",
    "SESSIONS_DIR",
    "SESSIONS_LOCK_FILE",
    "BatchClient",
    "BatchProgress",
    "BatchReport",
    "CallableTask",
    "ClusterStatus",
    "ClusterUnavailableError",
    "MissingBatchDependencyError",
    "OutputClashError",
    "OutputInUseError",
    "PipelineTask",
    "ReimportedMainError",
    "ScriptTask",
    "SessionRecord",
    "SessionStatus",
    "Task",
    "as_task",
    "batch_client",
    "completed_record",
    "expand_sessions",
    "expand_sessions_with_columns",
    "find_sessions",
    "read_manifest",
    "require_batch_dependencies",
    "run_batch",
    "session_name",
    "session_names",
    "skipped_note",
    "start_client",
]

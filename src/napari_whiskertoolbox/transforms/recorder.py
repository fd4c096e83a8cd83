"""Recording applied transforms so a session's steps can be saved and replayed.

A DataManager keeps its own record in ``dm.metadata["applied_transforms"]`` (JSON, so it is
saved and reopened with the session); :meth:`AppliedSteps.of` reads and extends it. Steps
recorded with a command history are undone and redone with the result they belong to.

Chains of TransformsV2 (and Python) steps save as a pipeline file
(:meth:`AppliedSteps.to_pipeline`). WhiskerToolbox's V1 operations — among them the ones that
edit entity groups and write no key (``Group Lines by Index`` …, recorded with
``"edits": "entity_groups"``) — save as a V1 ``transformations`` block
(:meth:`AppliedSteps.to_transformations`, :meth:`AppliedSteps.save_transformations`), which
:func:`~napari_whiskertoolbox.transforms.v1_runner.run_v1_transformations` replays.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.history import FunctionCommand
from napari_whiskertoolbox.io.atomic import atomic_write_text
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.pipeline import Pipeline, PipelineStep
from napari_whiskertoolbox.transforms.registry import REGISTRY
from napari_whiskertoolbox.transforms.v1_names import V1_TO_V2, v1_in_pipeline_hint

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.core.history import CommandHistory

__all__ = ["GROUPS_TARGET", "METADATA_KEY", "AppliedStep", "AppliedSteps"]

METADATA_KEY = "applied_transforms"
"""Key of a DataManager's recorded steps in ``dm.metadata``."""

GROUPS_TARGET = "entity_groups"
"""What a recorded step that edits entity groups changed (its ``"edits"`` field; it has no
``output_key``)."""


def _edits_groups(transform_name: str) -> bool:
    return transform_name in REGISTRY and REGISTRY.get(transform_name).edits_groups


def _error(message: str) -> TransformError:
    return TransformError(message, transform="pipeline")


@dataclass(frozen=True)
class AppliedStep:
    """One transform (or pipeline) run on a DataManager.

    Attributes
    ----------
    transform_name : str
        The transform, or the pipeline's name for a pipeline run.
    parameters : dict
        The full JSON parameters used (defaults filled in).
    input_key, output_key : str
        ``output_key`` is ``""`` for an operation that edits entity groups (it writes no
        key; see :attr:`edits_groups`).
    other_keys : tuple of str
        Further inputs of a two-input transform.
    output_time_key : str or None
        The clock asked for (None: the input's).
    pipeline : dict or None
        For a pipeline run, the pipeline document that ran (reference §6.1).
    """

    transform_name: str
    parameters: dict[str, Any]
    input_key: str
    output_key: str
    other_keys: tuple[str, ...] = ()
    output_time_key: str | None = None
    pipeline: dict[str, Any] | None = None

    @property
    def edits_groups(self) -> bool:
        """Return whether the step changed the entity groups instead of writing a key."""
        return self.pipeline is None and _edits_groups(self.transform_name)

    @property
    def title(self) -> str:
        """Return a one-line description, e.g. ``"CalculateLineAngle: whisker → angle"``.

        A step that edits entity groups ends in ``→ entity groups``.
        """
        inputs = ", ".join((self.input_key, *self.other_keys))
        kind = "pipeline " if self.pipeline is not None else ""
        target = "entity groups" if self.edits_groups else self.output_key
        return f"{kind}{self.transform_name}: {inputs} → {target}"

    def to_json(self) -> dict[str, Any]:
        """Return the step with its keys (the V2 DataManager-pipeline step shape, §6.4).

        A step that edits entity groups has ``"edits": "entity_groups"`` and no
        ``output_key`` (it wrote none).
        """
        out: dict[str, Any] = {
            "transform_name": self.transform_name,
            "input_key": self.input_key,
            "parameters": copy.deepcopy(self.parameters),
        }
        if self.edits_groups:
            out["edits"] = GROUPS_TARGET
        else:
            out["output_key"] = self.output_key
        if self.other_keys:
            out["additional_input_keys"] = list(self.other_keys)
        if self.output_time_key:
            out["output_time_key"] = self.output_time_key
        if self.pipeline is not None:
            out["pipeline"] = copy.deepcopy(self.pipeline)
        return out

    @classmethod
    def from_json(cls, doc: Any) -> AppliedStep:
        """Parse what :meth:`to_json` wrote.

        Raises
        ------
        TransformError
            ``doc`` is not such an object.
        """
        groups = isinstance(doc, dict) and (
            doc.get("edits") == GROUPS_TARGET or _edits_groups(str(doc.get("transform_name")))
        )
        needed = (
            ("transform_name", "input_key")
            if groups
            else ("transform_name", "input_key", "output_key")
        )
        if not isinstance(doc, dict) or not all(isinstance(doc.get(k), str) for k in needed):
            raise _error(
                f"a recorded step must name transform_name, input_key and output_key (or "
                f'"edits": "{GROUPS_TARGET}"): {doc!r}'
            )
        pipeline = doc.get("pipeline")
        return cls(
            doc["transform_name"],
            dict(doc.get("parameters") or {}),
            doc["input_key"],
            "" if groups else doc["output_key"],
            tuple(doc.get("additional_input_keys") or ()),
            doc.get("output_time_key"),
            dict(pipeline) if isinstance(pipeline, dict) else None,
        )

    def pipeline_steps(self, position: int) -> list[PipelineStep]:
        """Return this step as pipeline-file steps (a pipeline run gives all of its own).

        Raises
        ------
        TransformError
            A V1 or two-input transform, or a pipeline run with reductions or bindings.
        """
        where = f"step {position} ({self.transform_name})"
        if self.pipeline is not None:
            inner = Pipeline.from_json(self.pipeline)
            if (
                inner.pre_reductions
                or inner.range_reduction
                or any(s.param_bindings for s in inner.steps)
            ):
                raise _error(
                    f"{where} is a pipeline with reductions or parameter bindings; save that "
                    "pipeline from the library instead"
                )
            return [
                PipelineStep(
                    f"step{position}_{i + 1}_{s.transform_name}",
                    s.transform_name,
                    copy.deepcopy(s.parameters),
                )
                for i, s in enumerate(inner.steps)
            ]
        spec = REGISTRY.get(self.transform_name)
        if spec.engine == "v1":
            what = " (it edits entity groups)" if self.edits_groups else ""
            twin = V1_TO_V2.get(spec.name)
            names = (
                REGISTRY.get(twin).schema.names() if twin is not None and twin in REGISTRY else None
            )
            raise _error(
                f"{where} is a WhiskerToolbox V1 operation{what}: "
                f"{v1_in_pipeline_hint(spec.name, names)}"
            )
        if spec.arity != 1 or self.other_keys:
            raise _error(
                f"{where} cannot go in a pipeline file: it must be a one-input TransformsV2 "
                "or Python transform"
            )
        return [
            PipelineStep(
                f"step{position}_{self.transform_name}",
                self.transform_name,
                copy.deepcopy(self.parameters),
            )
        ]


class AppliedSteps:
    """The transforms applied to a DataManager, in order (pass it to ``run_transform``).

    Parameters
    ----------
    store : list, optional
        The JSON list the steps live in (shared, not copied); a new list by default.
        :meth:`of` passes ``dm.metadata["applied_transforms"]``.
    """

    def __init__(self, store: list[dict[str, Any]] | None = None) -> None:
        self._store: list[dict[str, Any]] = [] if store is None else store

    @classmethod
    def of(cls, dm: DataManager) -> AppliedSteps:
        """Return the record kept in ``dm.metadata`` (saved with the session).

        Raises
        ------
        TransformError
            ``dm.metadata["applied_transforms"]`` exists and is not a list.
        """
        store = dm.metadata.setdefault(METADATA_KEY, [])
        if not isinstance(store, list):
            raise _error(
                f"dm.metadata[{METADATA_KEY!r}] must be a list, got {type(store).__name__}"
            )
        return cls(store)

    @property
    def steps(self) -> list[AppliedStep]:
        """Return the recorded steps, oldest first."""
        return [AppliedStep.from_json(doc) for doc in self._store]

    def record(
        self,
        transform_name: str,
        parameters: dict[str, Any],
        *,
        input_key: str,
        output_key: str,
        other_keys: Sequence[str] = (),
        output_time_key: str | None = None,
        pipeline: dict[str, Any] | None = None,
        history: CommandHistory | None = None,
    ) -> AppliedStep:
        """Append one applied step and return it.

        Parameters
        ----------
        transform_name, parameters, input_key, output_key, other_keys, output_time_key, pipeline
            As in :class:`AppliedStep`.
        history : CommandHistory, optional
            Push the recording there, so undo forgets the step and redo records it again
            (inside a ``history.group`` it joins the result's undo step).
        """
        step = AppliedStep(
            transform_name,
            copy.deepcopy(dict(parameters)),
            input_key,
            output_key,
            tuple(other_keys),
            output_time_key,
            copy.deepcopy(pipeline),
        )
        doc = step.to_json()
        index = len(self._store)
        self._store.append(doc)
        if history is not None:
            history.push(
                FunctionCommand(
                    f"record {step.title}",
                    lambda: self._forget(doc),
                    lambda: self._store.insert(min(index, len(self._store)), doc),
                )
            )
        return step

    def _forget(self, doc: dict[str, Any]) -> None:
        for i, item in enumerate(self._store):
            if item is doc:
                del self._store[i]
                return

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[AppliedStep]:
        return iter(self.steps)

    def clear(self) -> None:
        """Forget every step."""
        self._store.clear()

    def to_pipeline(self, indices: Sequence[int] | None = None, name: str = "") -> Pipeline:
        """Return the chosen steps as a pipeline file (reference §6.1).

        A pipeline file names no keys: its steps form a chain, each consuming the previous
        step's output. So the chosen steps must be one-input TransformsV2 (or Python)
        transforms or pipeline runs, and each must have run on the previous one's output
        key.

        Parameters
        ----------
        indices : sequence of int, optional
            Which steps (default: all).
        name : str
            ``metadata.name`` of the pipeline.

        Raises
        ------
        TransformError
            No steps, a V1 or two-input step, or steps that do not form a chain.
        """
        chosen = self._chosen(indices)
        steps: list[PipelineStep] = []
        for i, step in enumerate(chosen):
            found = step.pipeline_steps(i + 1)  # a V1 step is refused before the chain test
            if i and step.input_key != chosen[i - 1].output_key:
                raise _error(
                    f"step {i + 1} ({step.transform_name}) reads '{step.input_key}', not the "
                    f"previous step's output '{chosen[i - 1].output_key}'; a pipeline file is a chain"
                )
            steps.extend(found)
        metadata: dict[str, Any] = {"name": name} if name else {}
        pipeline = Pipeline(steps, metadata)
        pipeline.validate()
        return pipeline

    def to_json(self) -> list[dict[str, Any]]:
        """Return every step with its keys (for a session file or a V2 DataManager pipeline)."""
        return copy.deepcopy(self._store)

    def _chosen(self, indices: Sequence[int] | None) -> list[AppliedStep]:
        every = self.steps
        wanted = range(len(every)) if indices is None else indices
        bad = [i for i in wanted if not 0 <= i < len(every)]
        if bad:
            raise _error(f"no applied step {bad[0]} (there are {len(every)})")
        chosen = [every[i] for i in wanted]
        if not chosen:
            raise _error("no applied steps to save")
        return chosen

    def to_transformations(self, indices: Sequence[int] | None = None) -> dict[str, Any]:
        """Return the chosen V1 steps as a V1 ``transformations`` block (reference §6.5).

        Each step keeps its keys and full parameters; a step that edited entity groups has
        no ``output_key`` (replaying it edits the groups again). Run the block with
        :func:`~napari_whiskertoolbox.transforms.v1_runner.run_v1_transformations`, or put
        it in a data config (see :meth:`save_transformations`).

        Parameters
        ----------
        indices : sequence of int, optional
            Which steps (default: all).

        Raises
        ------
        TransformError
            No steps, or a step that is not a WhiskerToolbox V1 operation (those save as a
            pipeline file, :meth:`to_pipeline`).
        """
        out = []
        for i, step in enumerate(self._chosen(indices)):
            spec = REGISTRY.get(step.transform_name) if step.pipeline is None else None
            if spec is None or spec.engine != "v1":
                raise _error(
                    f"step {i + 1} ({step.transform_name}) is not a WhiskerToolbox V1 "
                    "operation: a transformations block holds V1 steps; save TransformsV2 "
                    "steps as a pipeline file"
                )
            doc: dict[str, Any] = {
                "step_id": f"step{i + 1}_{step.transform_name.replace(' ', '_')}",
                "transform_name": step.transform_name,
                "input_key": step.input_key,
            }
            if not step.edits_groups:
                doc["output_key"] = step.output_key
            doc["parameters"] = copy.deepcopy(step.parameters)
            out.append(doc)
        return {"steps": out}

    def save_transformations(
        self, path: str | os.PathLike[str], indices: Sequence[int] | None = None
    ) -> Path:
        """Write the chosen V1 steps as a data config holding one ``transformations`` block.

        The file is ``[{"transformations": {"steps": [...]}}]`` (WhiskerToolbox's data
        config shape, reference §6.5); replay it on a session holding the input keys with
        ``run_v1_transformations(dm, path)``, or add data-loading entries in front and
        open it as a config.

        Raises
        ------
        TransformError
            As :meth:`to_transformations`.
        """
        from pathlib import Path

        block = self.to_transformations(indices)
        target = Path(path)
        atomic_write_text(target, json.dumps([{"transformations": block}], indent=2) + "\n")
        return target

"""Recording applied transforms so a session's steps can be saved as a pipeline file.

A DataManager keeps its own record in ``dm.metadata["applied_transforms"]`` (JSON, so it is
saved and reopened with the session); :meth:`AppliedSteps.of` reads and extends it. Steps
recorded with a command history are undone and redone with the result they belong to.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.history import FunctionCommand
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.pipeline import Pipeline, PipelineStep
from napari_whiskertoolbox.transforms.registry import REGISTRY

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.core.history import CommandHistory

__all__ = ["METADATA_KEY", "AppliedStep", "AppliedSteps"]

METADATA_KEY = "applied_transforms"
"""Key of a DataManager's recorded steps in ``dm.metadata``."""


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
    def title(self) -> str:
        """Return a one-line description, e.g. ``"CalculateLineAngle: whisker → angle"``."""
        inputs = ", ".join((self.input_key, *self.other_keys))
        kind = "pipeline " if self.pipeline is not None else ""
        return f"{kind}{self.transform_name}: {inputs} → {self.output_key}"

    def to_json(self) -> dict[str, Any]:
        """Return the step with its keys (the V2 DataManager-pipeline step shape, §6.4)."""
        out: dict[str, Any] = {
            "transform_name": self.transform_name,
            "input_key": self.input_key,
            "output_key": self.output_key,
            "parameters": copy.deepcopy(self.parameters),
        }
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
        if not isinstance(doc, dict) or not all(
            isinstance(doc.get(k), str) for k in ("transform_name", "input_key", "output_key")
        ):
            raise _error(
                f"a recorded step must name transform_name, input_key and output_key: {doc!r}"
            )
        pipeline = doc.get("pipeline")
        return cls(
            doc["transform_name"],
            dict(doc.get("parameters") or {}),
            doc["input_key"],
            doc["output_key"],
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
        if spec.engine == "v1" or spec.arity != 1 or self.other_keys:
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
        every = self.steps
        wanted = range(len(every)) if indices is None else indices
        bad = [i for i in wanted if not 0 <= i < len(every)]
        if bad:
            raise _error(f"no applied step {bad[0]} (there are {len(every)})")
        chosen = [every[i] for i in wanted]
        if not chosen:
            raise _error("no applied steps to save")
        steps: list[PipelineStep] = []
        for i, step in enumerate(chosen):
            if i and step.input_key != chosen[i - 1].output_key:
                raise _error(
                    f"step {i + 1} ({step.transform_name}) reads '{step.input_key}', not the "
                    f"previous step's output '{chosen[i - 1].output_key}'; a pipeline file is a chain"
                )
            steps.extend(step.pipeline_steps(i + 1))
        metadata: dict[str, Any] = {"name": name} if name else {}
        pipeline = Pipeline(steps, metadata)
        pipeline.validate()
        return pipeline

    def to_json(self) -> list[dict[str, Any]]:
        """Return every step with its keys (for a session file or a V2 DataManager pipeline)."""
        return copy.deepcopy(self._store)

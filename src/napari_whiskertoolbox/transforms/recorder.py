"""Recording applied transforms so a session's steps can be saved as a pipeline file."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.pipeline import Pipeline, PipelineStep
from napari_whiskertoolbox.transforms.registry import REGISTRY

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["AppliedStep", "AppliedSteps"]


@dataclass(frozen=True)
class AppliedStep:
    """One transform run on a DataManager.

    Attributes
    ----------
    transform_name : str
    parameters : dict
        The full JSON parameters used (defaults filled in).
    input_key, output_key : str
    other_keys : tuple of str
        Further inputs of a two-input transform.
    output_time_key : str or None
    """

    transform_name: str
    parameters: dict[str, Any]
    input_key: str
    output_key: str
    other_keys: tuple[str, ...] = ()
    output_time_key: str | None = None

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
        return out


@dataclass
class AppliedSteps:
    """The transforms applied in a session, in order (pass it to ``run_transform``).

    Attributes
    ----------
    steps : list of AppliedStep
    """

    steps: list[AppliedStep] = field(default_factory=list)

    def record(
        self,
        transform_name: str,
        parameters: dict[str, Any],
        *,
        input_key: str,
        output_key: str,
        other_keys: Sequence[str] = (),
        output_time_key: str | None = None,
    ) -> AppliedStep:
        """Append one applied step and return it."""
        step = AppliedStep(
            transform_name,
            copy.deepcopy(dict(parameters)),
            input_key,
            output_key,
            tuple(other_keys),
            output_time_key,
        )
        self.steps.append(step)
        return step

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[AppliedStep]:
        return iter(self.steps)

    def clear(self) -> None:
        """Forget every step."""
        self.steps.clear()

    def to_pipeline(self, indices: Sequence[int] | None = None, name: str = "") -> Pipeline:
        """Return the chosen steps as a pipeline file (reference §6.1).

        A pipeline file names no keys: its steps form a chain, each consuming the previous
        step's output. So the chosen steps must be one-input TransformsV2 (or Python)
        transforms, and each must have run on the previous one's output key.

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
        chosen = [self.steps[i] for i in (range(len(self.steps)) if indices is None else indices)]
        if not chosen:
            raise TransformError("no applied steps to save", transform="pipeline")
        steps = []
        for i, step in enumerate(chosen):
            spec = REGISTRY.get(step.transform_name)
            if spec.engine == "v1" or spec.arity != 1 or step.other_keys:
                raise TransformError(
                    f"step {i + 1} ({step.transform_name}) cannot go in a pipeline file: it must "
                    "be a one-input TransformsV2 or Python transform",
                    transform="pipeline",
                )
            if i and step.input_key != chosen[i - 1].output_key:
                raise TransformError(
                    f"step {i + 1} ({step.transform_name}) reads '{step.input_key}', not the "
                    f"previous step's output '{chosen[i - 1].output_key}'; a pipeline file is a chain",
                    transform="pipeline",
                )
            steps.append(
                PipelineStep(
                    f"step{i + 1}_{step.transform_name}",
                    step.transform_name,
                    copy.deepcopy(step.parameters),
                )
            )
        metadata: dict[str, Any] = {"name": name} if name else {}
        pipeline = Pipeline(steps, metadata)
        pipeline.validate()
        return pipeline

    def to_json(self) -> list[dict[str, Any]]:
        """Return every step with its keys (for a session file or a V2 DataManager pipeline)."""
        return [s.to_json() for s in self.steps]

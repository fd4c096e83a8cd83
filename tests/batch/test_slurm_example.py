"""The SLURM example of ``batch.cluster`` builds a valid dask-jobqueue job script (no sbatch)."""

from __future__ import annotations

import pytest

from napari_whiskertoolbox.batch import cluster


def test_documented_slurm_cluster_makes_a_job_script() -> None:
    jobqueue = pytest.importorskip(
        "dask_jobqueue", reason="dask-jobqueue is the optional [slurm] extra"
    )
    assert "SLURMCluster(cores=1, processes=1" in cluster.__doc__
    # the job SLURMCluster submits for each worker, without starting a scheduler
    job = jobqueue.slurm.SLURMJob(
        scheduler="tcp://127.0.0.1:8786",
        name="worker-0",
        cores=1,
        processes=1,
        memory="8GB",
        walltime="02:00:00",
        queue="normal",
        job_extra_directives=["--account=mylab"],
    )
    script = job.job_script()
    for line in ("#SBATCH -p normal", "#SBATCH --mem=8G", "#SBATCH -t 02:00:00", "--account=mylab"):
        assert line in script
    assert "--nthreads 1" in script
    assert "distributed.cli.dask_worker tcp://127.0.0.1:8786" in script

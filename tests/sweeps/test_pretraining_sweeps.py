"""Pre-training through the sweeps: ``training.pretraining`` as a sweep parameter (off
and on), its settings as parameters, and the race of a network with and without it."""

from __future__ import annotations

import copy
import json

import pytest

from nnplay.core.epoch_gradients import EpochGradients
from nnplay.core.experiment import Experiment
from nnplay.core.pretraining_progress import PATH, pretraining_race_variants
from nnplay.io.networkfile import dumps_network, loads_network
from nnplay.io.schema import parse_network
from nnplay.sweeps import (
    JobFinished, LocalPool, Race, RunFinished, RunPlan, RunSnapshot, SweepFileError, SweepSession, parse_sweep,
    plan_runs, race_plans, run_plan, shared_start,
)
from nnplay.sweeps.results import parse_csv
from tests.sweeps.helpers import base_network, sweep_obj

LIMIT_S = 120
DEEP = [{"type": "dense", "units": 4, "activation": "sigmoid"}, {"type": "dense", "units": 3, "activation": "sigmoid"},
        {"type": "dense", "units": 1, "activation": "sigmoid"}]
ON = {"epochs": 3, "decoder": "untied", "noise": 0.1}


def deep_base(pretraining=None) -> dict:
    base = base_network(layers=copy.deepcopy(DEEP))
    if pretraining is not None:
        base["training"]["pretraining"] = pretraining
    return base


def trained_with(base: dict, pretraining) -> str:
    """What `nnplay train` writes for the base with ``training.pretraining`` set so."""
    obj = copy.deepcopy(base)
    obj["training"]["pretraining"] = pretraining
    cfg = parse_network(obj)
    experiment = Experiment(cfg)
    experiment.trainer.run(cfg.training.epochs)
    return dumps_network(experiment.to_config())


def test_a_sweep_switches_pretraining_off_and_on():
    runs = plan_runs(parse_sweep(sweep_obj({PATH: {"values": [None, ON]}}, base=deep_base())))
    assert [run.values for run in runs] == [{PATH: None}, {PATH: ON}]
    for run, pretraining in zip(runs, (None, ON)):
        text = run_plan(RunPlan(run.index, run.network, run.values)).network
        assert text == trained_with(deep_base(), pretraining)
        assert ("pretraining" in loads_network(text).history) is (pretraining is not None)


def test_the_results_table_writes_the_section_as_compact_json(tmp_path):
    sweep = parse_sweep(sweep_obj({PATH: {"values": [None, ON]}}, base=deep_base()))
    folder = tmp_path / "out"
    with LocalPool(1) as pool:
        list(SweepSession(sweep, folder).start(pool).events(timeout=LIMIT_S))
        names, rows = parse_csv((folder / "results.csv").read_text())
        column = names.index(PATH)
        assert [row[column] for row in rows] == ["null", json.dumps(ON, separators=(",", ":"))]
        assert [row[names.index("status")] for row in rows] == ["finished", "finished"]
        # run again: the table's cells read back as this sweep's values, nothing runs
        events = list(SweepSession(sweep, folder).start(pool).events(timeout=LIMIT_S))
        assert not [e for e in events if isinstance(e, RunFinished)]


def test_a_results_folder_recorded_without_the_null_section_is_the_same_sweep(tmp_path):
    sweep = parse_sweep(sweep_obj({"optimizer.lr": {"values": [0.05]}}, base=deep_base()))
    folder = tmp_path / "out"
    with LocalPool(1) as pool:
        list(SweepSession(sweep, folder).start(pool).events(timeout=LIMIT_S))
        record = json.loads((folder / "sweep.json").read_text())
        assert record["base"]["training"]["pretraining"] is None
        del record["base"]["training"]["pretraining"]  # as the sweeps wrote it before pre-training existed
        (folder / "sweep.json").write_text(json.dumps(record))
        SweepSession(sweep, folder).start(pool).cancel()  # accepted: no FolderError


def test_pretraining_settings_are_parameters_when_the_base_has_it_on():
    runs = plan_runs(parse_sweep(sweep_obj({f"{PATH}.noise": {"values": [0.0, 0.3]},
                                            f"{PATH}.decoder": {"values": ["tied", "untied"]}},
                                           base=deep_base(ON))))
    assert [run.network["training"]["pretraining"]["noise"] for run in runs] == [0.0, 0.0, 0.3, 0.3]
    assert [run.network["training"]["pretraining"]["decoder"] for run in runs] == ["tied", "untied"] * 2


def test_a_setting_of_pretraining_that_is_off_says_to_set_the_section():
    with pytest.raises(SweepFileError) as error:
        plan_runs(parse_sweep(sweep_obj({f"{PATH}.noise": {"values": [0.1]}}, base=deep_base())))
    assert str(error.value) == ("parameters: training.pretraining.noise: training.pretraining is null in the "
                                "base network, so it has no noise; set training.pretraining as a whole")


def test_a_bad_pretraining_value_is_refused_before_anything_runs():
    with pytest.raises(SweepFileError) as error:
        plan_runs(parse_sweep(sweep_obj({PATH: {"values": [None, {"decoder": "both"}]}}, base=deep_base())))
    assert str(error.value).startswith("run 1 (training.pretraining {\"decoder\":\"both\"}): "
                                       "training.pretraining.decoder: must be one of 'tied', 'untied'")


def test_the_race_with_and_without_pretraining_shares_weights_and_batches():
    cfg = parse_network(deep_base(ON))
    plans = race_plans(cfg, [values for values, _ in pretraining_race_variants(cfg)], epochs=4, interval=0.0)
    assert shared_start(plans) == (True, True)
    assert plans[0].network["training"]["pretraining"] is None
    assert plans[1].network["training"]["pretraining"] == {**ON, "decoder_activation": "identity"}
    with Race(plans) as race:
        events = []
        for event in race.events(timeout=LIMIT_S):
            events.append(event)
            if isinstance(event, JobFinished):
                break
    finished = {e.run: e.outcome for e in events if isinstance(e, RunFinished)}
    for plan in plans:
        assert finished[plan.run].status == "finished"
        assert finished[plan.run].network == run_plan(RunPlan(plan.run, plan.network)).network
        # the lower layers' gradient RMS of each epoch, measured in the run's worker: its own
        assert streamed_gradients(events, plan.run) == gradients_in_process(plan.network, 4)
    without, with_ = (loads_network(finished[run].network) for run in (0, 1))
    assert "pretraining" not in without.history and with_.history["pretraining"]["layer"] == [0, 0, 0, 1, 1, 1]
    assert without.epoch == with_.epoch == 4
    assert streamed_gradients(events, 0)["dense1"] != streamed_gradients(events, 1)["dense1"]


def streamed_gradients(events, run: int) -> dict[str, list]:
    rows: dict[str, list] = {}
    for event in events:
        if isinstance(event, RunSnapshot) and event.run == run:
            for name, values in event.gradients.items():
                rows.setdefault(name, []).extend(values)
    return rows


def gradients_in_process(network: dict, epochs: int) -> dict[str, list]:
    experiment = Experiment(parse_network(network))
    meter = EpochGradients(experiment.trainer)
    experiment.trainer.run(epochs, on_update=meter.on_update, on_epoch=meter.on_epoch)
    return meter.take()

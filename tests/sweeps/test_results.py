"""results.csv: cells, bit-exact floats, and the best run."""

from __future__ import annotations

import math

from nnplay.sweeps.results import (
    ResultRow, best_row, cell, fill_from_cells, header, parse_csv, results_csv, same_cell,
)


def row(run, status, **metrics):
    full = dict.fromkeys(("train_loss", "val_loss", "train_accuracy", "val_accuracy"))
    full.update(metrics)
    return ResultRow(run, {"optimizer.lr": 0.1 * (run + 1)}, status, 5, full, 0.25)


def test_cells():
    assert cell("adam") == "adam"
    assert cell(0.1 + 0.2) == "0.30000000000000004"
    assert cell(3) == "3" and cell(True) == "true" and cell(None) == "null"
    assert cell({"patience": 3}) == '{"patience":3}'


def test_the_table_reads_back_to_the_same_bits():
    values = [math.pi / 7, 1e-300, 0.1 + 0.2, 123456.789e10, 2.0 ** -52]
    rows = [ResultRow(k, {"a.b": v, "name": "x,y"}, "finished", k, {"train_loss": v, "val_loss": None,
                                                                    "train_accuracy": 1.0, "val_accuracy": v / 3},
                      1.5) for k, v in enumerate(values)]
    names, cells = parse_csv(results_csv(rows, ["a.b", "name"]))
    assert names == header(["a.b", "name"]) == ["run", "a.b", "name", "status", "epochs", "train_loss", "val_loss",
                                                 "train_accuracy", "val_accuracy", "seconds"]
    for k, line in enumerate(cells):
        back = ResultRow(k, {})
        fill_from_cells(back, dict(zip(names, line)))
        assert back.metrics == rows[k].metrics  # == on floats: the same bits
        assert back.status == "finished" and back.epochs == k and back.seconds == 1.5
        assert line[2] == "x,y" and same_cell(line[1], values[k])


def test_a_run_not_done_has_empty_cells():
    text = results_csv([ResultRow(0, {"loss": "nll"})], ["loss"])
    assert text == "run,loss,status,epochs,train_loss,val_loss,train_accuracy,val_accuracy,seconds\n0,nll,,,,,,,\n"


def test_best_is_lowest_loss_or_highest_accuracy_among_finished_runs():
    rows = [row(0, "finished", val_loss=0.5, val_accuracy=0.8), row(1, "early_stopped", val_loss=0.3, val_accuracy=0.7),
            row(2, "diverged", val_loss=0.1, val_accuracy=0.99), row(3, "failed"), row(4, None),
            row(5, "finished", val_loss=0.3, val_accuracy=0.8)]
    assert best_row(rows, "val_loss").run == 1  # run 5 ties it: the lower number wins
    assert best_row(rows, "val_accuracy").run == 0
    assert best_row(rows, "train_loss") is None
    assert best_row([row(0, "diverged", val_loss=0.1)], "val_loss") is None


def test_same_cell_tolerates_the_last_bit_of_a_drawn_number():
    assert same_cell("0.1", 0.1) and same_cell(repr(0.1 + 2 ** -55), 0.1)
    assert not same_cell("0.2", 0.1) and not same_cell("adam", 0.1) and not same_cell("sgd", "adam")

"""The bundled sweep file runs with `nnplay sweep` and shows what its description says."""

from __future__ import annotations

from pathlib import Path

from nnplay.cli import main
from nnplay.sweeps.results import parse_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def test_spiral_optimizers_sweep(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(EXAMPLES / "spiral_optimizers.sweep.json"), "-o", str(out), "--workers", "2"]) == 0
    names, cells = parse_csv((out / "results.csv").read_text())
    rows = [dict(zip(names, row)) for row in cells]
    assert len(rows) == 9 and {r["status"] for r in rows} == {"finished"}
    accuracy = {(r["optimizer.name"], r["optimizer.lr"]): float(r["val_accuracy"]) for r in rows}
    for name in ("sgd", "momentum", "adam"):  # each untangles the spirals at one of the rates
        assert max(v for (n, _), v in accuracy.items() if n == name) >= 0.95
    for lr in ("0.003", "0.03", "0.3"):  # and no rate suits all three
        assert min(v for (_, r), v in accuracy.items() if r == lr) < 0.8
    best = min(rows, key=lambda r: float(r["val_loss"]))
    assert (out / "best.nnp").read_bytes() == (out / f"run-{best['run']}.nnp").read_bytes()
    capsys.readouterr()

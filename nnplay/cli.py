"""The command line (SPEC §3): ``nnplay [FILE.nnp]`` opens the app; ``train``,
``predict``, ``export`` and ``info`` work headless.

Exit status: 0 success; 1 training diverged, a finished run was saved elsewhere than
asked, standard output failed, or the app cannot start; 2 a bad file or bad
arguments, with one line on stderr naming the file and what is wrong; 130
interrupted (Ctrl-C). Bad input never prints a traceback, and everything printed has
its control characters escaped (docs/cli.md, docs/security.md).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import signal
import sys
import threading
import time
from typing import IO

import numpy as np

from nnplay import __version__
from nnplay.core.config import DenseConfig, DropoutConfig, NetworkConfig
from nnplay.core.experiment import Experiment
from nnplay.core.trainer import StopReason, Trainer
from nnplay.io.atomic import ReadOnlyTarget, check_target
from nnplay.io.export import ExportError, export, export_suffix
from nnplay.io.limits import check_room_to_train
from nnplay.io.networkfile import read_network, write_network, write_rescue_copy
from nnplay.io.points_csv import PointsFileError, read_inputs
from nnplay.io.schema import MAX_EPOCHS, NetworkFileError, input_dims, parameter_counts
from nnplay.terminal import Output, printable

COMMANDS = ("train", "predict", "export", "info")
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """Bad input: printed as ``nnplay: [FILE: ]MESSAGE`` with exit status 2."""

    status = 2

    def __init__(self, message: str, file: str | None = None):
        super().__init__(f"{file}: {message}" if file else message)


class SaveFailed(CliError):
    """A finished run that could not be written where asked (it was saved elsewhere if at all): exit 1."""

    status = 1


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors become one line (no usage block) and it never exits."""

    def error(self, message):
        raise CliError(f"{message} (see 'nnplay --help')")

    def exit(self, status=0, message=None):
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


class _Exit(Exception):
    def __init__(self, status: int):
        self.status = status


class _Interrupted(Exception):
    """Ctrl-C that ends a command: the message says what was and was not saved; exit 130."""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # a network's name or a "—" must not crash a terminal that cannot show it
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(errors="backslashreplace")
    out = Output(sys.stdout)
    code = _run(argv, out)
    complaint = out.complaint()
    if complaint:  # the output failed: say so, and what it would have said
        _error(complaint)
        if not out.closed_pipe and code == EXIT_OK:
            code = EXIT_FAILED
    return code


def _run(argv: list[str], out: Output) -> int:
    try:
        if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
            return open_app(argv)
        args = build_parser().parse_args(argv)
        if args.command is None:  # only options, e.g. `nnplay --`
            return open_app([])
        args.out = out
        return args.run(args)
    except CliError as exc:
        _error(str(exc))
        return exc.status
    except _Exit as exc:
        return exc.status
    except _Interrupted as exc:
        _error(str(exc))
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED


def _error(message: str) -> None:
    if sys.stderr is not None:  # print(file=None) would write to stdout
        with contextlib.suppress(OSError, ValueError):
            print(f"nnplay: {' '.join(printable(message).split())}", file=sys.stderr, flush=True)


def _file_name(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("the file name is empty")
    return text


def _epochs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"{value} is not from 0 to {MAX_EPOCHS:,}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nnplay",
        description="A playground for feed-forward neural networks. "
                    "'nnplay' opens the app; 'nnplay FILE.nnp' opens it with that network.",
        epilog="Exit status: 0 success, 1 training diverged or its result or output could not be written as "
               "asked, 2 bad file or arguments, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"nnplay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = sub.add_parser("train", help="train headless with the file's settings and save the result",
                           description="Train from the file's weights (or fresh ones from its seed) and write "
                                       "the trained weights, optimizer state, epoch and history.")
    train.add_argument("file", metavar="FILE.nnp", type=_file_name)
    train.add_argument("--epochs", type=_epochs, metavar="N",
                       help="train N more epochs (default: the file's training.epochs)")
    train.add_argument("-o", "--output", type=_file_name, metavar="OUT.nnp",
                       help="write here (default: back to FILE.nnp)")
    train.add_argument("--export", type=_file_name, metavar="PATH",
                       help="also export the trained network (.npz, .json, .onnx)")
    train.add_argument("--force", action="store_true", help="replace read-only output files")
    train.set_defaults(run=cmd_train)

    predict = sub.add_parser("predict", help="print the network's output for each input point",
                             description="One line per input row: the probability of class 1, the K class "
                                         "probabilities (comma-separated), or the value.")
    predict.add_argument("file", metavar="FILE.nnp", type=_file_name)
    predict.add_argument("--input", required=True, type=_file_name, metavar="POINTS.csv",
                         help="CSV with a header x1,x2 (or x1), or headerless rows of numbers")
    predict.set_defaults(run=cmd_predict)

    exp = sub.add_parser("export", help="export the weights as .npz, .json or .onnx",
                         description="Export by PATH's suffix: .npz arrays, .json lists, or an .onnx graph "
                                     "from raw inputs to the output.")
    exp.add_argument("file", metavar="FILE.nnp", type=_file_name)
    exp.add_argument("-o", "--output", required=True, type=_file_name, metavar="PATH")
    exp.add_argument("--force", action="store_true", help="replace a read-only PATH")
    exp.set_defaults(run=cmd_export)

    info = sub.add_parser("info", help="print the layers, parameter count, data set and last metrics")
    info.add_argument("file", metavar="FILE.nnp", type=_file_name)
    info.set_defaults(run=cmd_info)
    return parser


# ---------------------------------------------------------------- shared steps
def read_file(path: str) -> NetworkConfig:
    try:
        return read_network(path)
    except NetworkFileError as exc:
        raise CliError(str(exc), path) from None


def build_experiment(path: str, cfg: NetworkConfig) -> Experiment:
    try:
        return Experiment(cfg)
    except (ValueError, KeyError) as exc:  # the engine refusing a file that passed validation
        raise CliError(str(exc).strip("'\""), path) from None


def check_output(path: str, force: bool) -> None:
    """Refuse an output nnplay could not write, before any work is done."""
    write_output(path, lambda: check_target(path, force))


def write_output(path: str, write) -> None:
    try:
        write()
    except ReadOnlyTarget:
        raise CliError("cannot write it (it is read-only); pass --force to replace it", path) from None
    except OSError as exc:
        raise CliError(f"cannot write it ({exc.strerror or exc})", path) from None


# ---------------------------------------------------------------- open the app
def open_app(argv: list[str]) -> int:
    if len(argv) > 1:
        raise CliError(f"unknown command '{argv[0]}'; the commands are {', '.join(COMMANDS)} "
                       "(or give one FILE.nnp to open)")
    path = argv[0] if argv else None
    if path is not None:
        read_file(path)  # a bad file is reported here, before any window opens
    try:
        from nnplay.gui.app import run
    except ImportError as exc:
        if getattr(exc, "name", None) in ("nnplay.gui.app", "nnplay.gui"):
            _error("the app is not part of this installation (nnplay.gui.app is missing)")
        else:
            _error(f"cannot start the app: {exc}")
        return EXIT_FAILED
    return run(path)


# ---------------------------------------------------------------- train
def cmd_train(args) -> int:
    if args.export is not None:
        try:
            export_suffix(args.export)  # refuse before training, not after
        except ExportError as exc:
            raise CliError(str(exc), args.export) from None
    cfg = read_file(args.file)
    out = args.output if args.output is not None else args.file
    check_output(out, args.force)
    if args.export is not None:
        check_output(args.export, args.force)
    experiment = build_experiment(args.file, cfg)
    trainer = experiment.trainer
    more = args.epochs if args.epochs is not None else cfg.training.epochs
    try:  # what training will write must fit in a file nnplay reads back
        check_room_to_train(experiment.to_config(), more, len(experiment.optimizer.slots))
    except NetworkFileError as exc:
        raise CliError(str(exc), out) from None
    start, target = trainer.epoch, trainer.epoch + more
    progress = Progress(args.out, trainer, start, target)
    try:
        # a diverging run overflows on purpose; the stop line below reports it, not NumPy warnings
        with np.errstate(all="ignore"), _stop_on_interrupt(trainer):
            reason = trainer.run(target, on_update=progress.on_update, on_epoch=progress.on_epoch)
    except KeyboardInterrupt:
        raise _Interrupted(f"interrupted twice: stopped at once, nothing was saved ({out} is as it was)") from None
    progress.close()
    trained = experiment.to_config()
    with _finishing_writes() as interrupted:
        unsaved = save_trained(trained, out, args.force)
        # said once the file is written: the interrupted line claims it continues from here
        args.out.note(describe_stop(trainer, reason, cfg))
        if unsaved is not None:
            raise SaveFailed(unsaved, out)
        args.out.note(f"wrote {out}")
        if args.export is not None:
            write_output(args.export, lambda: export(trained, trained.weights, args.export, args.force))
            args.out.note(f"exported {args.export}")
    if interrupted:
        raise _Interrupted("interrupted while saving; the files above were written first")
    return {StopReason.DIVERGED: EXIT_FAILED, StopReason.INTERRUPTED: EXIT_INTERRUPTED}.get(reason, EXIT_OK)


def save_trained(trained: NetworkConfig, out: str, force: bool) -> str | None:
    """Write a finished run to ``out``; None if done, else what went wrong and where the
    run was saved instead (a finished run is never lost for want of its file)."""
    try:
        write_network(trained, out, force)
        return None
    except ReadOnlyTarget:
        problem = "it is read-only; pass --force to replace it"
    except OSError as exc:
        problem = exc.strerror or str(exc)
    except NetworkFileError as exc:
        problem = str(exc)
    rescued = write_rescue_copy(trained, out)
    where = f"the trained network was saved to {rescued} instead" if rescued else "nowhere else could take it either"
    return f"cannot write it ({problem}); {where}"


@contextlib.contextmanager
def _stop_on_interrupt(trainer: Trainer):
    """The first Ctrl-C stops training between two updates (so the state saved is exact);
    a second one interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        trainer.request_stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _finishing_writes():
    """Ctrl-C while the results are written waits for the writing to end: a save is
    never cut short, so what the command says it wrote, it wrote. Yields a list that
    holds an entry if Ctrl-C was pressed."""
    pressed: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.4g}"


def metrics_text(trainer: Trainer) -> str:
    h = trainer.history
    parts = [f"train loss {_fmt(h.last('train_loss'))}"]
    if h.last("val_loss") is not None:
        parts.append(f"val loss {_fmt(h.last('val_loss'))}")
    if h.last("train_accuracy") is not None:
        acc = f"accuracy {_fmt(h.last('train_accuracy'))} train"
        if h.last("val_accuracy") is not None:
            acc += f" / {_fmt(h.last('val_accuracy'))} val"
        parts.append(acc)
    return ", ".join(parts)


class Progress:
    """On a terminal one line rewritten in place (at most 10 times a second); otherwise a
    plain line at every tenth of the run, so logs stay short."""

    def __init__(self, stream: IO[str], trainer: Trainer, start: int, target: int):
        self.stream, self.start, self.target = stream, start, target
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.began = self.last_draw = time.monotonic()
        self.updates = 0
        self.width = 0
        self.step = max(1, math.ceil((target - start) / 10))

    def on_update(self, trainer: Trainer) -> None:
        self.updates += 1
        if self.tty and time.monotonic() - self.last_draw >= 0.1:  # long epochs still show life
            self.draw(trainer)

    def rate(self) -> str:
        elapsed = time.monotonic() - self.began
        return f"{self.updates / elapsed:,.0f} updates/s" if elapsed > 0 else ""

    def line(self, trainer: Trainer) -> str:
        inside = f" (update {trainer.update_in_epoch}/{trainer.updates_per_epoch} of the next)" \
            if trainer.update_in_epoch else ""
        return f"epoch {trainer.epoch}/{self.target}{inside}: {metrics_text(trainer)}, {self.rate()}"

    def draw(self, trainer: Trainer) -> None:
        self.last_draw = time.monotonic()
        text = self.line(trainer)
        self.stream.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.stream.flush()

    def on_epoch(self, trainer: Trainer) -> None:
        done = trainer.epoch - self.start
        if self.tty:
            if time.monotonic() - self.last_draw >= 0.1 or trainer.epoch >= self.target:
                self.draw(trainer)
        elif done % self.step == 0 or trainer.epoch >= self.target:
            print(self.line(trainer), file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty and self.width:
            self.stream.write("\n")
            self.stream.flush()


def describe_stop(trainer: Trainer, reason: StopReason, cfg: NetworkConfig) -> str:
    if reason == StopReason.FINISHED:
        return f"finished at epoch {trainer.epoch}: {metrics_text(trainer)}"
    if reason == StopReason.EARLY_STOPPED:
        rule = cfg.training.early_stopping
        best = (trainer.resume_state() or {}).get("best") or {}
        restored = f"; weights of epoch {best['epoch']} restored" if rule.restore_best and "epoch" in best else ""
        return (f"early stopped at epoch {trainer.epoch}: no better validation loss for "
                f"{rule.patience} epochs{restored}")
    if reason == StopReason.DIVERGED:
        return (f"diverged at epoch {trainer.diverged_at}: {trainer.divergence or 'the loss'} became infinite or NaN; "
                f"lower the learning rate (now {trainer.optimizer.hyper['lr']:g}); "
                f"the weights of epoch {trainer.epoch} are kept")
    if trainer.update_in_epoch:
        where = f"in epoch {trainer.epoch + 1}, update {trainer.update_in_epoch} of {trainer.updates_per_epoch}"
    else:
        where = f"after epoch {trainer.epoch}"
    return f"interrupted {where}; the saved file continues exactly from here"


# ---------------------------------------------------------------- predict
def cmd_predict(args) -> int:
    cfg = read_file(args.file)
    try:
        points = read_inputs(args.input, input_dims(cfg))
    except PointsFileError as exc:
        raise CliError(str(exc), args.input) from None
    experiment = build_experiment(args.file, cfg)
    with np.errstate(all="ignore"):  # far-away points may overflow to inf, which prints as inf
        output = experiment.predict(points)
    lines = [",".join(repr(v) for v in row) for row in output.tolist()]
    args.out.write("".join(line + "\n" for line in lines))
    args.out.flush()
    return EXIT_OK


# ---------------------------------------------------------------- export
def cmd_export(args) -> int:
    try:
        export_suffix(args.output)
    except ExportError as exc:
        raise CliError(str(exc), args.output) from None
    cfg = read_file(args.file)
    weights = build_experiment(args.file, cfg).network.get_weights()
    write_output(args.output, lambda: export(cfg, weights, args.output, args.force))
    args.out.note(f"exported {args.output}")
    return EXIT_OK


# ---------------------------------------------------------------- info
def cmd_info(args) -> int:
    cfg = read_file(args.file)
    args.out.line("\n".join(info_lines(cfg)))
    return EXIT_OK


def info_lines(cfg: NetworkConfig) -> list[str]:
    counts = parameter_counts(cfg)
    lines = [f"{cfg.name}: {cfg.task} network on features {', '.join(cfg.features)}",
             "  #  layer      units  activation  init             parameters"]
    width = len(cfg.features)
    for i, (layer, count) in enumerate(zip(cfg.layers, counts)):
        if isinstance(layer, DenseConfig):
            width = layer.units
            lines.append(f"{i:>3}  dense     {layer.units:>6}  {layer.activation:<10}  {layer.init:<15}  {count:>10,}")
        elif isinstance(layer, DropoutConfig):
            lines.append(f"{i:>3}  dropout   {width:>6}  rate {layer.rate:<5g}  {'':<15}  {count:>10,}")
        else:
            lines.append(f"{i:>3}  batchnorm {width:>6}  {'':<10}  {'':<15}  {count:>10,}")
    opt = ", ".join(f"{k} {v:g}" for k, v in cfg.optimizer.settings.items())
    sched = ", ".join(f"{k} {v:g}" for k, v in cfg.schedule.settings.items())
    t, d = cfg.training, cfg.data
    lines += [
        f"parameters: {sum(counts):,}",
        f"loss: {cfg.loss}",
        f"optimizer: {cfg.optimizer.name}" + (f" ({opt})" if opt else "")
        + f"; schedule: {cfg.schedule.name}" + (f" ({sched})" if sched else ""),
        f"training: batch size {t.batch_size or 'all'}, {t.epochs:,} epochs per run, seed {t.seed}, "
        f"l1 {t.l1:g}, l2 {t.l2:g}, input noise {t.input_noise:g}, early stopping "
        + (f"patience {t.early_stopping.patience}" if t.early_stopping else "off"),
    ]
    n = d.n if d.source == "generated" else len(d.x)
    n_val = int(round(n * d.validation_fraction))
    if d.source == "generated":
        classes = f", {d.classes} classes" if d.classes else ""
        lines.append(f"data: {d.name}, {n:,} points{classes}, noise {d.noise:g}, seed {d.seed}; "
                     f"{n - n_val:,} train / {n_val:,} validation")
    else:
        lines.append(f"data: inline, {n:,} points; {n - n_val:,} train / {n_val:,} validation")
    if cfg.weights is None:
        lines.append(f"epoch: {cfg.epoch} (no weights yet: they start from seed {t.seed})")
    else:
        paused = (cfg.resume or {}).get("update_in_epoch")
        lines.append(f"epoch: {cfg.epoch}" + (f" (paused after update {paused} of the next epoch)" if paused else ""))
    history = cfg.history or {}
    if history.get("epoch"):
        last = {name: values[-1] for name, values in history.items() if values}
        parts = [f"{name.replace('_', ' ')} {_fmt(last.get(name))}"
                 for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
                 if last.get(name) is not None]
        lines.append(f"last metrics (epoch {last.get('epoch')}): " + ", ".join(parts))
        restored = (cfg.resume or {}).get("restored_epoch")
        if restored is not None and restored in history["epoch"]:
            row = history["epoch"].index(restored)
            parts = [f"{name.replace('_', ' ')} {_fmt(history[name][row])}"
                     for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
                     if history.get(name) and history[name][row] is not None]
            lines.append(f"weights: those of epoch {restored}, restored by early stopping: " + ", ".join(parts))
    else:
        lines.append("last metrics: none (not trained yet)")
    return lines

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
from nnplay.core.config import NetworkConfig
from nnplay.core.datasets import input_dims
from nnplay.core.errors import ConfigError
from nnplay.core.experiment import Experiment
from nnplay.core.limits import MAX_EPOCHS
from nnplay.core.report import describe_stop, format_number, info_lines, metrics_text
from nnplay.core.snapshot import Snapshot, Snapshotter
from nnplay.core.trainer import StopReason, Trainer
from nnplay.io.atomic import ReadOnlyTarget, check_target
from nnplay.io.examples import BundledExample, is_bundled_example, refuse_bundled_example
from nnplay.io.export import ExportError, export, export_suffix
from nnplay.io.limits import check_room_to_train
from nnplay.io.networkfile import read_network, write_network, write_rescue_copy
from nnplay.io.points_csv import PointsFileError, read_inputs
from nnplay.io.schema import NetworkFileError
from nnplay.terminal import Output, printable

COMMANDS = ("train", "predict", "export", "info", "sweep")
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
                       help="write here (default: back to FILE.nnp; a bundled example needs -o)")
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

    sweep = sub.add_parser("sweep", help="run a sweep file's grid or random search on all cores or a Dask cluster",
                           description="Train every run of a sweep file (docs/sweeps.md) and write DIR/run-<k>.nnp, "
                                       "DIR/results.csv and DIR/best.nnp. Run it again on the same DIR to go on "
                                       "where it stopped.")
    sweep.add_argument("file", metavar="SWEEP.json")
    sweep.add_argument("-o", "--output", required=True, metavar="DIR", help="the results folder (created if needed)")
    sweep.add_argument("--workers", type=_workers, metavar="N", help="local worker processes (default: every core)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster whose scheduler is at ADDRESS (pip install 'nnplay[cluster]')")
    sweep.set_defaults(run=cmd_sweep)
    return parser


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"{value} is not from 1 to 1024")
    return value


# ---------------------------------------------------------------- shared steps
def read_file(path: str) -> NetworkConfig:
    try:
        return read_network(path)
    except NetworkFileError as exc:
        raise CliError(str(exc), path) from None


def build_experiment(path: str, cfg: NetworkConfig) -> Experiment:
    try:
        return Experiment(cfg)
    except ConfigError as exc:  # the engine refusing a file that passed validation
        raise CliError(str(exc), path) from None


def check_output(path: str, force: bool) -> None:
    """Refuse an output nnplay could not write, or must not (a bundled example), before any work is done."""
    try:
        refuse_bundled_example(path)
    except BundledExample as exc:
        raise CliError(f"{exc}; choose another path", path) from None
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
    if args.output is None and is_bundled_example(out):  # never silently: say where else it can go
        raise CliError("a bundled example, which train does not write over; add -o OUT.nnp to save the "
                       "trained network elsewhere", out)
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
    progress = Progress(args.out, Snapshotter(trainer), start, target)
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


class Progress:
    """On a terminal one line rewritten in place (at most 10 times a second); otherwise a
    plain line at every tenth of the run, so logs stay short. It reads the run's snapshots
    (the same the app's window draws), taking one only when it prints."""

    def __init__(self, stream: IO[str], snapshots: Snapshotter, start: int, target: int):
        self.stream, self.snapshots, self.start, self.target = stream, snapshots, start, target
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_draw = time.monotonic()
        self.width = 0
        self.step = max(1, math.ceil((target - start) / 10))

    def on_update(self, trainer: Trainer) -> None:
        self.snapshots.on_update()
        if self.tty and time.monotonic() - self.last_draw >= 0.1:  # long epochs still show life
            self.draw(self.snapshots.take())

    def line(self, snapshot: Snapshot) -> str:
        rate = f"{snapshot.updates / snapshot.seconds:,.0f} updates/s" if snapshot.seconds > 0 else ""
        pretraining = snapshot.pretraining
        if pretraining is not None and pretraining.progress is not None:
            return f"{pretraining.status}, {rate}"
        inside = f" (update {snapshot.update_in_epoch}/{snapshot.updates_per_epoch} of the next)" \
            if snapshot.update_in_epoch else ""
        return f"epoch {snapshot.epoch}/{self.target}{inside}: {metrics_text(snapshot)}, {rate}"

    def draw(self, snapshot: Snapshot) -> None:
        self.last_draw = time.monotonic()
        text = self.line(snapshot)
        self.stream.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.stream.flush()

    def on_epoch(self, trainer: Trainer) -> None:
        phase = trainer.pretraining
        if phase is not None and phase.pending:
            self.on_pretraining_epoch(trainer, phase)
            return
        done = trainer.epoch - self.start
        if not done:  # the epoch did not end (it diverged): the stop line says so
            return
        if self.tty:
            if time.monotonic() - self.last_draw >= 0.1 or trainer.epoch >= self.target:
                self.draw(self.snapshots.take())
        elif done % self.step == 0 or trainer.epoch >= self.target:
            print(self.line(self.snapshots.take()), file=self.stream, flush=True)

    def on_pretraining_epoch(self, trainer: Trainer, phase) -> None:
        """Each layer's progress at every tenth of its epochs; on a terminal, in place."""
        epochs = phase.settings.epochs
        if self.tty:
            if time.monotonic() - self.last_draw >= 0.1 or phase.epoch >= epochs:
                self.draw(self.snapshots.take())
            if phase.epoch >= epochs:  # keep each layer's last line
                self.stream.write("\n")
                self.width = 0
        elif phase.epoch % max(1, math.ceil(epochs / 10)) == 0 or phase.epoch >= epochs:
            print(self.line(self.snapshots.take()), file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty and self.width:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------- predict
def cmd_predict(args) -> int:
    cfg = read_file(args.file)
    try:
        points = read_inputs(args.input, input_dims(cfg.data))
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
    check_output(args.output, args.force)
    write_output(args.output, lambda: export(cfg, weights, args.output, args.force))
    args.out.note(f"exported {args.output}")
    return EXIT_OK


# ---------------------------------------------------------------- info
def cmd_info(args) -> int:
    cfg = read_file(args.file)
    args.out.line("\n".join(info_lines(cfg)))
    return EXIT_OK


# ---------------------------------------------------------------- sweep
def cmd_sweep(args) -> int:
    from nnplay.sweeps import FolderError, LocalPool, SweepFileError, SweepSession, read_sweep
    from nnplay.sweeps.dask_pool import ClusterError, DaskPool

    if args.workers is not None and args.scheduler:
        raise CliError("--workers and --scheduler do not go together: a Dask cluster has its own workers")
    try:
        session = SweepSession(read_sweep(args.file), args.output)
    except SweepFileError as exc:
        raise CliError(str(exc), args.file) from None
    except FolderError as exc:
        raise CliError(str(exc)) from None
    try:
        pool = DaskPool(args.scheduler) if args.scheduler else LocalPool(args.workers)
    except ClusterError as exc:
        raise CliError(str(exc)) from None
    with pool:
        try:
            job = session.start(pool)
        except FolderError as exc:
            raise CliError(str(exc)) from None
        report = SweepReport(args.out, session, job, pool, args)
        try:
            while not job.finished:
                for event in job.poll(0.5):
                    report.show(event)
                report.tick()
        except KeyboardInterrupt:
            job.cancel()
            report.interrupted()
            return EXIT_INTERRUPTED
    report.summary()
    return EXIT_FAILED if any(row.status == "failed" for row in session.rows) else EXIT_OK


class SweepReport:
    """A sweep's progress on stdout: a line per finished run with the runs done and the
    time left; on a terminal also a status line rewritten in place."""

    def __init__(self, stream: IO[str], session, job, pool, args):
        from nnplay.sweeps import Tally
        from nnplay.sweeps.run import versions

        self.stream, self.session, self.job, self.folder = stream, session, job, args.output
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.tally = Tally(job.total, job.done_before, pool.size)
        self.versions = versions()
        self.warned = False
        self.width = 0
        sweep = session.sweep
        where = f"the Dask cluster at {args.scheduler} ({pool.size} threads)" if args.scheduler \
            else f"{pool.size} local process{'es' if pool.size > 1 else ''}"
        epochs = f"{sweep.epochs:,} epochs each" if sweep.epochs is not None else "the base's epochs"
        self.say(f"{args.file}: {sweep.search} search, {self.tally.total:,} runs ({' × '.join(sweep.paths)}), "
                 f"{epochs}, on {where}; results in {self.folder}")
        if job.done_before and not job.to_run:
            self.say(f"all {job.total:,} runs already have a status in {self.folder}/results.csv; nothing to run")
        elif job.done_before:
            self.say(f"{job.done_before:,} of {job.total:,} runs already have a status in "
                     f"{self.folder}/results.csv; running the other {job.to_run:,}")

    def say(self, line: str) -> None:
        if self.tty and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.width = 0
        print(line, file=self.stream, flush=True)
        self.tick()

    def tick(self) -> None:
        if not self.tty or self.job.finished:
            return
        text = f"[{self.progress()}]"
        self.stream.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.stream.flush()

    def progress(self) -> str:
        from nnplay.sweeps import format_duration

        left = self.tally.seconds_left()
        eta = ""
        if left is not None and self.tally.remaining:
            eta = ", under a second left" if left < 1 else f", about {format_duration(left)} left"
        return f"{self.tally.done:,}/{self.tally.total:,} done{eta}"

    def show(self, event) -> None:
        from nnplay.sweeps import RunRecorded, RunRetrying
        from nnplay.sweeps.plan import describe

        if isinstance(event, RunRetrying):
            self.say(f"run {event.run}: {event.message}")
        elif isinstance(event, RunRecorded):
            row, outcome = event.row, event.outcome
            self.tally.record(outcome.seconds)
            self.check_versions(outcome)
            what = f"run {row.run} {row.status.replace('_', ' ')} ({describe(row.values)})"
            if row.status == "failed":
                detail = f": {outcome.error}" + (f"; see {self.folder}/run-{row.run}.error.txt" if outcome.details else "")
            else:
                detail = f" in {outcome.seconds:.3g} s: {metrics_text(row.metrics)}"
            self.say(f"{what}{detail} [{self.progress()}]")

    def check_versions(self, outcome) -> None:
        theirs = outcome.versions
        if not self.warned and theirs and theirs != self.versions:
            self.warned = True
            self.say(f"warning: run {outcome.run} ran on nnplay {theirs.get('nnplay')} with NumPy "
                     f"{theirs.get('numpy')} (here {self.versions['nnplay']} and {self.versions['numpy']}); "
                     "its numbers may differ from this machine's")

    def interrupted(self) -> None:
        done = sum(row.status is not None for row in self.session.rows)
        self.say(f"interrupted: {done:,} of {len(self.session.rows):,} runs have their results in {self.folder}; "
                 "run the same command again to go on")

    def summary(self) -> None:
        rows = self.session.rows
        counts = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        parts = ", ".join(f"{n:,} {status.replace('_', ' ')}" for status, n in counts.items() if status)
        self.say(f"done: {len(rows):,} runs ({parts}); table in {self.folder}/results.csv")
        metric = self.session.sweep.metric
        best = self.session.best()
        if best is None:
            self.say(f"no finished run has a {metric.replace('_', ' ')}, so there is no best.nnp")
            return
        from nnplay.sweeps.plan import describe

        self.say(f"best by {metric.replace('_', ' ')}: run {best.run} ({describe(best.values)}), "
                 f"{format_number(best.metric(metric))}; wrote {self.folder}/best.nnp")

"""What the command line prints and the app's status line says about a network and a
run, in one place: the metrics, why training stopped and what to do about it, and the
layer table of ``nnplay info``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnplay.core.architecture import diagram, layer_number, layer_widths, parameter_counts
from nnplay.core.config import NetworkConfig, PretrainingConfig
from nnplay.core.cost import split_sizes
from nnplay.core.history import final_reconstruction_losses, row_of
from nnplay.core.layers import LAYERS
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.pretraining import NOTHING_TO_PRETRAIN, hidden_dense_layers
from nnplay.core.trainer import DIVERGENCE_FACTOR, StopReason, Trainer

__all__ = ["describe_position", "describe_stop", "diagram", "format_number", "info_lines", "metrics_text", "pretraining_text"]

METRICS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")


def format_number(value) -> str:
    """A metric as the reports show it: four significant digits, a dash for none."""
    return "—" if value is None else f"{value:.4g}"


def compact_number(value) -> str:
    """A metric in at most 8 characters, for a bar of numbers: three significant digits
    (``0.693``, ``12.3``, ``1.23e-05``), a dash for none."""
    if value is None:
        return "–"
    for digits in (3, 2, 1):  # fewer digits for a three-digit exponent
        text = f"{value:.{digits}g}"
        if len(text) <= 8:
            break
    return text


def compact_percent(fraction) -> str:
    """A share as a percentage with one decimal (``98.8 %``; ``100 %``), a dash for none."""
    if fraction is None:
        return "–"
    percent = 100 * fraction
    return f"{percent:.0f} %" if percent >= 99.95 else f"{percent:.1f} %"


def compact_count(value) -> str:
    """A count or rate in at most 5 characters: ``999``, ``9,999``, ``12.3k``, ``123k``, ``1.23M``."""
    if value is None:
        return "–"
    if value < 9999.5:
        return f"{value:,.0f}"
    scaled, suffixes = value / 1000, iter("kMGT")
    suffix = next(suffixes)
    while scaled >= 999.5 and suffix != "T":
        scaled, suffix = scaled / 1000, next(suffixes)
    return f"{scaled:.3g}{suffix}"


def metrics_text(history) -> str:
    """``train loss 0.1, val loss 0.2, accuracy 0.95 train / 0.9 val`` after the last epoch;
    ``history`` is a ``History`` (anything with ``last(column)``) or one row as a mapping."""
    last = history.get if isinstance(history, Mapping) else history.last
    parts = [f"train loss {format_number(last('train_loss'))}"]
    if last("val_loss") is not None:
        parts.append(f"val loss {format_number(last('val_loss'))}")
    if last("train_accuracy") is not None:
        acc = f"accuracy {format_number(last('train_accuracy'))} train"
        if last("val_accuracy") is not None:
            acc += f" / {format_number(last('val_accuracy'))} val"
        parts.append(acc)
    return ", ".join(parts)


# ---------------------------------------------------------------- why a run stopped
def describe_stop(trainer: Trainer, reason: StopReason, config: NetworkConfig) -> str:
    """Why the run stopped and what to do next, in one line (lower case; the app
    capitalizes it): the last line of ``nnplay train`` and the app's status line."""
    phase = trainer.pretraining
    if reason == StopReason.FINISHED:
        if not len(trainer.history) and phase is not None and phase.finished:
            return f"finished at epoch 0, after pre-training: {_reconstruction_text(trainer.history.pretraining)}"
        return f"finished at epoch {trainer.epoch}: {metrics_text(trainer.history)}"
    if reason == StopReason.EARLY_STOPPED:
        return _early_stop(trainer, config)
    if reason == StopReason.DIVERGED:
        return _divergence(trainer, config)
    if phase is not None and phase.pending and phase.started:
        return f"paused in {pretraining_text(trainer)}; training continues exactly from here"
    if trainer.update_in_epoch:
        where = f"in epoch {trainer.epoch + 1}, update {trainer.update_in_epoch} of {trainer.updates_per_epoch}"
    else:
        where = f"after epoch {trainer.epoch}"
    return f"paused {where}; training continues exactly from here"


def describe_position(trainer: Trainer) -> str:
    """Where a network stands, in a few words (lower case): ``not trained yet``, ``at epoch
    12``, ``in epoch 13, after update 3 of 32``, or where pre-training is; with the epoch
    whose weights early stopping restored. For a status line that must not outlive what
    it describes (the app's, after the network changed)."""
    phase = trainer.pretraining
    if phase is not None and phase.pending and phase.started:
        return f"paused in {pretraining_text(trainer)}"
    if trainer.update_in_epoch:
        return (f"in epoch {trainer.epoch + 1:,}, after update {trainer.update_in_epoch:,} "
                f"of {trainer.updates_per_epoch:,}")
    if trainer.epoch == 0:
        return "not trained yet"
    if trainer.restored_epoch is not None:
        return f"at epoch {trainer.epoch:,}, with the weights of epoch {trainer.restored_epoch:,} (early stopping)"
    return f"at epoch {trainer.epoch:,}"


def _early_stop(trainer: Trainer, config: NetworkConfig) -> str:
    """``early stopped at epoch 251: no better validation loss for 30 epochs; best validation
    loss at epoch 221, restored: train loss …`` (the metrics of the weights it ends with)."""
    rule = config.training.early_stopping
    validated = len(trainer.data.x_val) > 0
    watched = "validation loss" if validated else "training loss (there is no validation set)"
    patience = rule.patience if rule is not None else "several"
    text = f"early stopped at epoch {trainer.epoch}: no better {watched} for {patience} epochs"
    best = trainer.restored_epoch
    if best is None:
        return text
    row = row_of(trainer.history.columns, best)
    metrics = f": {metrics_text(row)}" if row is not None else ""
    return f"{text}; best {'validation' if validated else 'training'} loss at epoch {best}, restored{metrics}"


def _divergence(trainer: Trainer, config: NetworkConfig) -> str:
    """The learning rate is the usual cause; single examples and steps that do not adapt
    make it likelier, so the advice names the one that applies."""
    hint = f"lower the learning rate (now {trainer.optimizer.hyper['lr']:g})"
    if config.training.batch_size == 1:
        hint += " or train on bigger batches than 1"
    elif not OPTIMIZERS.get(config.optimizer.name).adapts_step:
        adaptive = [cls.name for cls in OPTIMIZERS.entries() if cls.adapts_step]
        hint += f", or try {'adam' if 'adam' in adaptive else adaptive[0]}, which scales its own steps"
    phase = trainer.pretraining
    if phase is not None and phase.diverged_at is not None:
        layer, epoch = phase.diverged_at
        kept = f"after pre-training epoch {epoch - 1}" if epoch > 1 else "from before pre-training"
        return (f"diverged while pre-training layer {phase.number} of {phase.count} (layers[{layer}]) in its "
                f"epoch {epoch}: {phase.divergence} became infinite or NaN; {hint}; its weights {kept} are kept")
    if trainer.loss_growth is not None:
        loss, reference, when = trainer.loss_growth
        what = (f"the training loss grew to {format_number(loss)}, more than {DIVERGENCE_FACTOR} times its "
                f"{format_number(reference)} {when}")
    else:
        what = f"{trainer.divergence or 'the loss'} became infinite or NaN"
    return f"diverged at epoch {trainer.diverged_at}: {what}; {hint}; the weights of epoch {trainer.epoch} are kept"


# ---------------------------------------------------------------- pre-training
def pretraining_text(trainer: Trainer) -> str:
    """Where pre-training is, as the progress lines say where training is: ``pre-training
    layer 1 of 3 (layers[0], 8 sigmoid): epoch 4/50 (update 2/9 of the next), reconstruction
    loss 0.0123`` (the last finished epoch's)."""
    phase = trainer.pretraining
    layer = trainer.network.layers[phase.layer]
    text = (f"pre-training layer {phase.number} of {phase.count} (layers[{phase.layer}], {layer.n_outputs} "
            f"{layer.activation_name}): epoch {phase.epoch}/{phase.settings.epochs}")
    if phase.update_in_epoch:
        text += f" (update {phase.update_in_epoch}/{trainer.updates_per_epoch} of the next)"
    table = trainer.history.pretraining or {}
    if phase.epoch and table.get("layer") and table["layer"][-1] == phase.layer:
        text += f", reconstruction loss {format_number(table['train_loss'][-1])}"
    return text


def pretraining_summary(trainer: Trainer, settings: PretrainingConfig | None) -> str:
    """Where pre-training stands, in a sentence for the app (capitalized, with a full stop)."""
    phase = trainer.pretraining
    if settings is None or phase is None:
        return "Pre-training is off: switch it on in the Training panel (Pre-training) and press play."
    if not phase.layers:
        return f"{NOTHING_TO_PRETRAIN}."
    if phase.finished:
        return f"Pre-training done: {_reconstruction_text(trainer.history.pretraining)}."
    if phase.pending and phase.started:
        return f"Paused in {pretraining_text(trainer)}."
    if phase.pending:
        count = len(phase.layers)
        return f"Pre-training runs first, on {count} hidden layer{'s' if count > 1 else ''}, when you press play."
    return (f"Pre-training runs when training starts from epoch 0, and this network has trained {trainer.epoch} "
            "epochs: Reset starts the weights afresh, then play pre-trains them.")


def _reconstruction_text(table: dict | None) -> str:
    """``reconstruction loss 0.0123 (layers[0]), 0.0456 (layers[2])``: each layer's last."""
    finals = final_reconstruction_losses(table)
    if not finals:
        return "no hidden layer to pre-train"
    return "reconstruction loss " + ", ".join(
        f"{format_number(row['train_loss'])} (layers[{layer}])" for layer, row in finals.items())


def settings_text(settings: PretrainingConfig) -> str:
    return (f"{settings.epochs:,} epochs per layer, {settings.decoder} decoder, decoder activation "
            f"{settings.decoder_activation}, noise {settings.noise:g}")


# ---------------------------------------------------------------- nnplay info
def info_lines(cfg: NetworkConfig) -> list[str]:
    """``nnplay info``: the layer table, the settings, the data set, the epoch and the last metrics."""
    lines = [f"{cfg.name}: {cfg.task} network on features {', '.join(cfg.features)}"]
    lines += layer_table(cfg)
    lines += _settings_lines(cfg)
    lines += _progress_lines(cfg)
    return lines


def layer_table(cfg: NetworkConfig) -> list[str]:
    counts = parameter_counts(cfg)
    widths = layer_widths(len(cfg.features), cfg.layers)
    rows = ["  #  layer      units  activation  init             parameters"]
    for i, (layer, count) in enumerate(zip(cfg.layers, counts)):
        first, second = LAYERS.get(layer.type).info_columns(layer)
        rows.append(f"{layer_number(i):>3}  {layer.type:<9} {widths[i + 1]:>6}  {first:<10}  {second:<15}  "
                    f"{count:>10,}")
    return rows + [f"parameters: {sum(counts):,}"]


def _settings_lines(cfg: NetworkConfig) -> list[str]:
    opt = ", ".join(f"{k} {v:g}" for k, v in cfg.optimizer.settings.items())
    sched = ", ".join(f"{k} {v:g}" for k, v in cfg.schedule.settings.items())
    t, d = cfg.training, cfg.data
    lines = [
        f"loss: {cfg.loss}",
        f"optimizer: {cfg.optimizer.name}" + (f" ({opt})" if opt else "")
        + f"; schedule: {cfg.schedule.name}" + (f" ({sched})" if sched else ""),
        f"training: batch size {t.batch_size or 'all'}, {t.epochs:,} epochs per run, seed {t.seed}, "
        f"l1 {t.l1:g}, l2 {t.l2:g}, input noise {t.input_noise:g}, early stopping "
        + (f"patience {t.early_stopping.patience}" if t.early_stopping else "off"),
    ]
    if t.pretraining is not None:
        lines.append(f"pre-training: {settings_text(t.pretraining)}")
    n = d.n if d.source == "generated" else len(d.x)
    n_train, n_val = split_sizes(cfg)
    split = f"{n_train:,} train / {n_val:,} validation"
    if d.source == "generated":
        classes = f", {d.classes} classes" if d.classes else ""
        lines.append(f"data: {d.name}, {n:,} points{classes}, noise {d.noise:g}, seed {d.seed}; {split}")
    else:
        lines.append(f"data: inline, {n:,} points; {split}")
    return lines


def _progress_lines(cfg: NetworkConfig) -> list[str]:
    if cfg.weights is None:
        lines = [f"epoch: {cfg.epoch} (no weights yet: they start from seed {cfg.training.seed})"]
    else:
        paused = (cfg.resume or {}).get("update_in_epoch")
        lines = [f"epoch: {cfg.epoch}" + (f" (paused after update {paused} of the next epoch)" if paused else "")]
    history = cfg.history or {}
    lines += _pretraining_lines(cfg)
    if not history.get("epoch"):
        return lines + ["last metrics: none (not trained yet)"]
    last = {name: values[-1] for name, values in history.items() if isinstance(values, list) and values}
    lines.append(f"last metrics (epoch {last.get('epoch')}): " + _row_text(last))
    restored = (cfg.resume or {}).get("restored_epoch")
    if restored is not None and restored in history["epoch"]:
        row = history["epoch"].index(restored)
        values = {name: history[name][row] for name in METRICS if history.get(name)}
        lines.append(f"weights: those of epoch {restored}, restored by early stopping: " + _row_text(values))
    return lines


def _pretraining_lines(cfg: NetworkConfig) -> list[str]:
    """Where pre-training stands, and each pre-trained layer's last reconstruction loss."""
    table = (cfg.history or {}).get("pretraining")
    position = (cfg.resume or {}).get("pretraining")
    settings = cfg.training.pretraining
    hidden = hidden_dense_layers(cfg.layers)
    if table is None:
        if settings is None:
            return []
        if cfg.epoch or (cfg.resume or {}).get("update_in_epoch"):
            return ["pre-training: did not run (it runs when training starts from epoch 0; "
                    "start the weights afresh to run it)"]
        return [f"pre-training: runs first, on {len(hidden)} hidden layer{'s' if len(hidden) != 1 else ''}, "
                "when training starts"]
    if position is not None:
        number = hidden.index(position["layer"]) + 1
        paused = position.get("update_in_epoch")
        inside = f" and update {paused} of the next" if paused else ""
        lines = [f"pre-training: under way, layer {number} of {len(hidden)} (layers[{position['layer']}]) "
                 f"after {position['epoch']:,} of its epochs{inside}"]
    else:
        lines = ["pre-training: done"]
    for layer, row in final_reconstruction_losses(table).items():
        val = f" / {format_number(row['val_loss'])} val" if row["val_loss"] is not None else ""
        lines.append(f"  layers[{layer}] ({cfg.layers[layer].units} {cfg.layers[layer].activation}): "
                     f"reconstruction loss {format_number(row['train_loss'])} train{val} "
                     f"after {row['epoch']:,} epoch{'s' if row['epoch'] != 1 else ''}")
    return lines


def _row_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {format_number(values.get(name))}"
                     for name in METRICS if values.get(name) is not None)

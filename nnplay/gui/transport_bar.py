"""The transport bar: play/pause, one epoch, reset weights, a new start, speed, and the run's numbers.

It only shows and asks: the window connects its actions to the training runner and
feeds it snapshots.

The numbers are compact (``core.report.compact_number``: three significant digits),
training and validation in the curves' colours, and each sits in a box as wide as its
widest value, so nothing moves as digits change. When the window is too narrow for the
buttons' words, the buttons show their icons alone (their words stay in the tooltips
and the Training menu), so that nothing ends up behind the bar's "»" menu.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSizePolicy, QSlider, QStyle, QToolBar, QWidget

from nnplay.core.pretraining_progress import COUNTER_HELP, PretrainingProgress
from nnplay.core.report import compact_count, compact_number, compact_percent
from nnplay.gui.plots.colors import TRAIN_COLOR, VALIDATION_COLOR

#: the speed slider's stops, in updates per second; None is as fast as the machine goes
SPEEDS: tuple[float | None, ...] = (1, 3, 10, 30, 100, 300, 1000, None)
SPEED_NAMES = ("1 update/s (watch each step)", "3 updates/s", "10 updates/s", "30 updates/s",
               "100 updates/s", "300 updates/s", "1000 updates/s", "max")
#: where the slider starts until the user moves it: File ▸ New's spirals then untangle over
#: some 15 seconds (at max, in under one), the whole run of 32,000 updates taking under two
#: minutes; the user's own choice is remembered from then on (never slower than they asked)
FIRST_SPEED = SPEEDS.index(300)
#: the QSettings key of the remembered speed (its name in SPEED_NAMES, before any " (")
SPEED_KEY = "transport/speed"


#: the widest value each number shows (its box is this wide, so it never jumps)
WIDEST_EPOCH, WIDEST_METRIC, WIDEST_PERCENT, WIDEST_RATE = 9_999_999, "8.88e-08", "88.8 %", "888k"


EPOCH_TIP = "Finished epochs (passes over the training set)."


def _pair(train: str, validation: str) -> str:
    """Training and validation values, each in its curve's colour."""
    return (f"<b style='color:{TRAIN_COLOR}'>{train}</b> · "
            f"<b style='color:{VALIDATION_COLOR}'>{validation}</b>")


def _remembered_speed() -> int:
    """The slider position the user chose last, or ``FIRST_SPEED`` on a first launch."""
    names = [name.split(" (")[0] for name in SPEED_NAMES]
    value = QSettings().value(SPEED_KEY)
    return names.index(value) if value in names else FIRST_SPEED


class TransportBar(QToolBar):
    #: the speed setting changed: updates per second, or None for max
    speedChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Training", parent)
        self.setObjectName("transportBar")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = self.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)

        self._build_actions(style)
        self.addSeparator()
        self._build_speed()
        self.addSeparator()
        self._build_numbers()

    def _build_actions(self, style) -> None:
        self.play_action = QAction(self._play_icon, "Play", self)
        self.play_action.setObjectName("playAction")
        self.play_action.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.play_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.play_action.setToolTip(
            "Play/Pause (Space): train until the Epochs setting, then stop. Pressing play "
            "after that trains as many epochs again.")
        self.step_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Step", self)
        self.step_action.setObjectName("stepAction")
        self.step_action.setShortcut(QKeySequence("Ctrl+Right"))
        self.step_action.setToolTip("Train one epoch, one pass over the training set, then pause (Ctrl+Right).")
        self.reset_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Reset", self)
        self.reset_action.setObjectName("resetAction")
        self.reset_action.setShortcut(QKeySequence("Ctrl+R"))
        self.reset_action.setToolTip(
            "Reset the weights to fresh random values from the seed, with a fresh optimizer "
            "and an empty history (Ctrl+R).")
        self.new_start_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "New Start", self)
        self.new_start_action.setObjectName("newStartAction")
        self.new_start_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_start_action.setToolTip(
            "Try other initial weights: the next seed, then reset (Ctrl+Shift+N). Reset afterwards comes back "
            "to these; Undo to the weights before.")
        for action in (self.play_action, self.step_action, self.reset_action, self.new_start_action):
            self.addAction(action)
            self.widgetForAction(action).setObjectName(action.objectName().replace("Action", "Button"))

    def _build_speed(self) -> None:
        speed_label = QLabel(" Speed ")
        speed_label.setObjectName("speedLabel")
        self.addWidget(speed_label)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setObjectName("speedSlider")
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(_remembered_speed())
        self.speed.setPageStep(1)
        self.speed.setFixedWidth(120)
        self.speed.setToolTip("How fast training runs: from one update a second, to watch each "
                              "step of gradient descent, to as fast as the machine goes.")
        self.speed.valueChanged.connect(self._on_speed)
        self.addWidget(self.speed)
        self.speed_value = QLabel()
        self.speed_value.setObjectName("speedValueLabel")
        self.speed_value.setMinimumWidth(90)
        self.addWidget(self.speed_value)
        self._on_speed(self.speed.value(), emit=False)

    def _build_numbers(self) -> None:
        self._actions: dict = {}
        self.epoch_label = self._stat("epochLabel", EPOCH_TIP, self._epoch_text(WIDEST_EPOCH))
        self.loss_label = self._stat(
            "lossLabel", "Loss after the last epoch: on the training set (blue, as its curve) · "
            "on the validation set (orange).", self._loss_text(WIDEST_METRIC, WIDEST_METRIC))
        self.accuracy_label = self._stat(
            "accuracyLabel", "Share of points classified right after the last epoch: training (blue) · "
            "validation (orange).", self._accuracy_text(WIDEST_PERCENT, WIDEST_PERCENT))
        self.rate_label = self._stat("rateLabel", "Weight updates (one per batch) per second.",
                                     self._rate_text(WIDEST_RATE))
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addWidget(spacer)
        self.show_numbers(0, 0, {}, None)

    def _stat(self, name: str, tip: str, widest: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setToolTip(tip)
        label.setContentsMargins(6, 0, 6, 0)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setText(widest)
        # as big as its widest value: no jumping, and, being of a fixed size, a new value
        # relayouts nothing (each relayout of the bar animated and repainted it, every frame)
        label.setFixedSize(label.sizeHint())
        # a widget in a tool bar is shown and hidden through its action
        self._actions[name] = self.addWidget(label)
        return label

    @staticmethod
    def _epoch_text(epoch: int) -> str:
        return f"Epoch <b>{epoch:,}</b>"

    @staticmethod
    def _loss_text(train: str, validation: str) -> str:
        return f"Loss {_pair(train, validation)}"

    @staticmethod
    def _accuracy_text(train: str, validation: str) -> str:
        return f"Accuracy {_pair(train, validation)}"

    @staticmethod
    def _rate_text(rate: str) -> str:
        return f"<b>{rate}</b> updates/s"

    def _on_speed(self, index: int, emit: bool = True) -> None:
        name = SPEED_NAMES[index].split(" (")[0]
        self.speed_value.setText(name)
        if emit:
            QSettings().setValue(SPEED_KEY, name)
            self.speedChanged.emit(SPEEDS[index])

    @property
    def max_rate(self) -> float | None:
        return SPEEDS[self.speed.value()]

    def set_playing(self, playing: bool) -> None:
        self.play_action.setText("Pause" if playing else "Play")
        self.play_action.setIcon(self._pause_icon if playing else self._play_icon)

    def show_numbers(self, epoch: int, update_in_epoch: int, last: dict, rate: float | None,
                     regression: bool = False, restored_epoch: int | None = None,
                     pretraining: PretrainingProgress | None = None) -> None:
        """``last``: the history row the numbers show (train/val loss and accuracy); ``rate``:
        updates/s; ``restored_epoch``: the epoch whose weights early stopping put back, whose
        row ``last`` then is; ``pretraining``: where pre-training is, while it is under way
        (it stands for the epoch)."""
        if pretraining is not None and pretraining.started:
            self._set_text(self.epoch_label, pretraining.counter_text(lambda number: f"<b>{number}</b>"),
                           COUNTER_HELP)
        elif restored_epoch is None:
            self._set_text(self.epoch_label, self._epoch_text(epoch), EPOCH_TIP)
        else:
            self._set_text(self.epoch_label, f"Epoch <b>{restored_epoch:,}</b> of {epoch:,}",
                           f"Early stopping put back the weights of epoch {restored_epoch:,}, the best; the "
                           f"numbers beside are that epoch's. Training ran to epoch {epoch:,}, and Play trains "
                           f"on from there.")
        self._set_text(self.loss_label, self._loss_text(compact_number(last.get("train_loss")),
                                                        compact_number(last.get("val_loss"))))
        self._actions["accuracyLabel"].setVisible(not regression)
        self._set_text(self.accuracy_label, self._accuracy_text(compact_percent(last.get("train_accuracy")),
                                                                compact_percent(last.get("val_accuracy"))))
        self._set_text(self.rate_label, self._rate_text(compact_count(rate)))

    @staticmethod
    def _set_text(label: QLabel, text: str, tip: str | None = None) -> None:
        if label.text() != text:
            label.setText(text)
            wide = label.sizeHint().width()
            if wide > label.width():  # wider than any value before ("Epoch 221 of 251"): it grows
                label.setFixedWidth(wide)
        if tip is not None and label.toolTip() != tip:
            label.setToolTip(tip)

    # ---- fitting the window
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        """Icons alone when the buttons' words would push the numbers behind "»"; words again
        once the bar is as wide as it was with them."""
        if self.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon:
            self._width_with_words = self.sizeHint().width()
            if self.width() < self._width_with_words:
                self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        elif self.width() >= self._width_with_words:
            self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

"""The left-column panels: data, network and training settings.

Each panel is a QWidget built on a ``Document``: user input becomes one
``document.edit(...)`` call, and ``document.settingsChanged`` refreshes the widgets
inside ``QSignalBlocker`` so nothing loops. What the panels show comes from core: the
registries' entries, the settings declared on the config types (bound to controls by
``bindings``) and the checks in ``nnplay.core.advice``. The shared widgets (ladder spin
boxes, notice rows) are in ``widgets``; the base class in ``panel``.

objectNames, for tests and the window:

- DataPanel ``dataPanel``: ``datasetCombo``, ``taskLabel``, ``classesSpin``, ``sizeSpin``,
  ``noiseSpin``, ``validationSpin``, ``dataSeedSpin``, ``newDataButton``, ``importCsvButton``,
  ``classButton0`` … ``classButton5``, ``valueSpin``, ``clickHintLabel``.
  ``current_class`` / ``currentClassChanged(int)``, ``current_value`` /
  ``currentValueChanged(float)``: what a click on the plot adds.
- NetworkPanel ``networkPanel``: ``featureX1Check``, ``featureX2Check``, ``featureX1SqCheck``,
  ``featureX2SqCheck``, ``featureX1X2Check``, ``featureSinX1Check``, ``featureSinX2Check``;
  per hidden layer i (0-based): ``layer{i}UnitsSpin``, ``layer{i}ActivationCombo``,
  ``layer{i}InitCombo``, ``layer{i}RateSpin`` (dropout), ``layer{i}UpButton``,
  ``layer{i}DownButton``, ``layer{i}RemoveButton``; ``outputUnitsSpin`` (read-only),
  ``outputActivationCombo``, ``outputInitCombo``; ``addDenseButton``, ``addDropoutButton``,
  ``addBatchNormButton``; ``pairingWarning`` + ``pairingFixButton``, ``stepNote`` +
  ``stepFixButton``, ``zerosNote`` + ``zerosFixButton``; ``diagramLabel``,
  ``parameterCountLabel``.
- TrainingPanel ``trainingPanel``: ``lossCombo``, ``lossPairingWarning`` +
  ``lossPairingFixButton``, ``optimizerCombo``, ``optimizerDefaultsButton``, ``lrSpin``,
  ``gammaSpin``, ``rhoSpin``, ``beta1Spin``, ``beta2Spin``, ``epsSpin`` (only the chosen
  optimizer's), ``scheduleCombo``, ``scheduleDropSpin``, ``scheduleEverySpin``,
  ``scheduleKSpin``, ``batchModeCombo``, ``batchSizeSpin``, ``epochsSpin``,
  ``trainingSeedSpin``, ``l2Spin``, ``l1Spin``, ``inputNoiseSpin``, ``earlyStoppingCheck``,
  ``patienceSpin``, ``restoreBestCheck``.
"""

from nnplay.gui.panels.data_panel import DataPanel
from nnplay.gui.panels.network_panel import NetworkPanel
from nnplay.gui.panels.training_panel import TrainingPanel

__all__ = ["DataPanel", "NetworkPanel", "TrainingPanel"]

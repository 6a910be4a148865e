"""What a network offers a race or a search to vary: read from the declared Settings,
and every suggested value is one the network file's checks accept."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from nnplay.core.config import EarlyStoppingConfig, PretrainingConfig
from nnplay.core.layers import LAYERS
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.settings import Setting, setting
from nnplay.sweeps import catalog, race_plans
from nnplay.sweeps.catalog import LAYER_TYPE, choices_for, with_layer_type, without_layer_type
from tests.sweeps.helpers import base_network


def by_key(base=None) -> dict:
    return {choice.key: choice for choice in choices_for(base or base_network())}


def test_the_optimizer_offers_every_registered_optimizer_and_every_setting_of_any():
    choices = by_key()
    assert choices["optimizer.name"].suggestions == tuple(OPTIMIZERS.names())
    assert choices["optimizer.name"].current == "adam"
    assert choices["optimizer.name"].describe("rmsprop") == OPTIMIZERS.get("rmsprop").title
    every_setting = {spec.name for cls in OPTIMIZERS.entries() for spec in cls.settings}
    assert {key.split(".")[1] for key in choices if key.startswith("optimizer.")} == every_setting | {"name"}
    assert choices["optimizer.gamma"].note.startswith("only Momentum")
    lr = choices["optimizer.lr"]
    assert lr.current == 0.05 and lr.suggestions == (0.005, 0.05, 0.5)  # factors of ten
    assert lr.describe(0.005) == "η 0.005"


def test_penalties_are_with_and_without_and_units_double():
    choices = by_key()
    assert choices["training.l2"].suggestions == (0.0, 0.001)
    assert choices["layers[0].units"].suggestions == (2, 4, 8)
    assert choices["training.seed"].suggestions == (1, 3, 6)
    assert "layers[1].units" not in choices  # the output layer's width is the task's
    assert "data.source" not in choices and "data.classes" not in choices  # not blobs


def test_optional_sections_are_switches_and_layer_types_are_with_and_without():
    choices = by_key()
    early = choices["training.early_stopping"]
    assert early.kind == "switch" and early.suggestions == (None, EarlyStoppingConfig.switched_on().to_dict())
    assert early.describe(None) == "Early stopping off"
    switches = [c for c in choices.values() if c.kind == LAYER_TYPE]
    assert [c.layer_type for c in switches] == [cls.name for cls in LAYERS.entries() if cls.name != "dense"]
    assert switches[0].describe(True) == "with Dropout" and switches[0].path == "layers"
    pretraining = choices["training.pretraining"]  # off in the base, and still offered on and off
    assert pretraining.kind == "switch" and pretraining.suggestions == (None, PretrainingConfig().to_dict())
    assert pretraining.describe(None) == "Pre-training off"
    base = base_network()
    base["training"]["pretraining"] = {"epochs": 3, "decoder": "untied"}
    decoder = by_key(base)["training.pretraining.decoder"]  # on: its settings are choices too, named
    assert decoder.titles == ("tied", "untied") and decoder.describe("untied") == "untied"


def test_losses_and_data_sets_offered_suit_the_task():
    choices = by_key()
    assert set(choices["loss"].names) == {"squared", "hinge", "nll"}
    assert "blobs" not in choices["data.name"].names and "sine" not in choices["data.name"].names
    assert "xor" in choices["data.name"].names


@dataclass
class Pretraining:
    epochs: int = setting(Setting("epochs", "Pre-training epochs", 10, "int", low=1, high=1000))


@dataclass
class Training:
    warmup: float = setting(Setting("warmup", "Warm-up", 0.5, "float", low=0.0, high=1.0, step=0.25))
    pretrain: bool = setting(Setting("pretrain", "Pre-train", False, "bool"))
    pretraining: Pretraining | None = None
    always: Pretraining = field(default_factory=Pretraining)


def test_a_field_declaring_a_setting_shows_up_by_itself():
    """The walk reads the dataclass fields: a new setting (pre-training, say) needs no code here."""
    found = {c.key: c for c in catalog._section_choices(Training, "training", Training(), "Training", None)}
    assert found["training.warmup"].suggestions == (0.25, 0.5, 0.75)
    assert found["training.pretrain"].suggestions == (False, True)
    assert found["training.pretraining"].suggestions == (None, {"epochs": 10})
    assert found["training.always.epochs"].suggestions == (5, 10, 20)
    on = catalog._section_choices(Training, "training", Training(pretraining=Pretraining(3)), "Training", None)
    assert "training.pretraining.epochs" in {c.key for c in on}


def test_every_suggestion_passes_the_network_files_checks():
    base = base_network()
    for choice in choices_for(base):
        if choice.kind == LAYER_TYPE:
            continue
        for value in choice.suggestions:
            values = {choice.path: value}
            if choice.note.startswith("only ") and choice.path.startswith("optimizer."):
                owner = next(cls for cls in OPTIMIZERS.entries() if choice.path.split(".")[1] in cls.defaults)
                values = {"optimizer.name": owner.name, **values}
            if choice.note.startswith("only ") and choice.path.startswith("schedule."):
                continue  # a schedule's own settings need that schedule; covered through picks
            race_plans(base, [values])  # raises RaceError naming the value if refused


def test_layer_type_switches_insert_after_hidden_dense_layers_and_remove_them():
    first, output = base_network()["layers"]
    layers = [first, dict(first), output]
    with_dropout = with_layer_type(layers, "dropout")
    assert [layer["type"] for layer in with_dropout] == ["dense", "dropout", "dense", "dropout", "dense"]
    assert with_layer_type(with_dropout, "dropout") == with_dropout  # has some: kept as they are
    assert without_layer_type(with_dropout, "dropout") == layers


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(EarlyStoppingConfig)])
def test_switched_on_early_stopping_is_valid(field):
    assert getattr(EarlyStoppingConfig.switched_on(), field) is not None

"""The network as a diagram: columns for the features and each dense layer, bands for
batch-norm and dropout layers, the weights joining columns one to one."""

from nnplay.core import Experiment
from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig
from nnplay.core.diagram import HIDDEN, INPUT, OUTPUT, diagram_of

from .helpers import config


def test_columns_and_bands_of_a_network_with_batch_norm_and_dropout():
    layers = [DenseConfig(5, "relu"), BatchNormConfig(), DropoutConfig(0.3), DenseConfig(3, "tanh"),
              DenseConfig(1, "sigmoid")]
    exp = Experiment(config(layers, features=("x1", "x2", "x1^2")))
    diagram = diagram_of(exp.config.features, exp.network.layers)
    kinds = [(c.kind, c.units, c.layer, c.subtitle) for c in diagram.columns]
    assert kinds == [(INPUT, 3, None, "3 features"), (HIDDEN, 5, 0, "5 relu"), (HIDDEN, 3, 3, "3 tanh"),
                     (OUTPUT, 1, 4, "1 sigmoid")]
    assert [(b.after, b.layer, b.label) for b in diagram.bands] == [(1, 1, "BN"), (1, 2, "drop 0.3")]
    assert diagram.hidden == [1, 2] and diagram.bands_after(1) == list(diagram.bands)
    columns = diagram.columns
    assert columns[0].labels == ("x₁", "x₂", "x₁²") and columns[0].value_ranges[2] == (0.0, None)
    assert columns[1].value_ranges == ((0.0, None),) * 5 and columns[2].value_ranges[0] == (-1.0, 1.0)
    # the links into a column are its dense layer's W, joining the two columns' units one to one
    for before, after in zip(columns, columns[1:]):
        assert exp.network.layers[after.layer].params["W"].shape == (before.units, after.units)
    assert columns[2].unit_name(1) == "unit 2 of layer 2" and columns[3].unit_name(0) == "the output"


def test_a_network_without_hidden_layers_is_inputs_and_outputs():
    exp = Experiment(config([DenseConfig(1, "linear")], loss="hinge"))
    diagram = diagram_of(exp.config.features, exp.network.layers)
    assert [c.kind for c in diagram.columns] == [INPUT, OUTPUT] and diagram.hidden == []
    assert diagram.columns[1].subtitle == "1 identity"  # the canonical name of an alias


def test_a_wide_column_shows_what_fits_and_says_how_many_more():
    from nnplay.core.diagram import shown_units

    assert shown_units(8, 10) == (tuple(range(8)), 0)
    assert shown_units(64, 10) == (tuple(range(9)), 55)  # nine nodes and "+55 more"
    assert shown_units(64, 10, expanded=True) == (tuple(range(64)), 0)
    assert shown_units(5, 1) == ((0,), 4)

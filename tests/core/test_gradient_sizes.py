"""The Gradients view's sentence (issue 13): exploding gradients are named as such, even when
saturated hidden units make the first layer's gradient tiny beside the output layer's."""

from __future__ import annotations

import numpy as np

from nnplay.core.gradient_sizes import dense_layer_labels, dense_layer_numbers, gradient_summary


def test_gradients_that_blew_up_are_exploding_not_vanishing():
    # sine, SGD, η = 10: the output layer's gradient at 10¹⁵⁰, the first layer's saturated to 10⁻¹⁶⁸
    text = gradient_summary(np.array([-168.0, 150.0]), [1, 2])
    assert text.startswith("Exploding gradient: the output layer's ∂J/∂W is about 10¹⁵⁰")
    assert "vanishing" not in text
    assert gradient_summary(np.array([3.2, -1.0, -0.5]), [1, 3, 5]).startswith(
        "Exploding gradient: layer 1's ∂J/∂W is about 10³")
    assert "Exploding" in gradient_summary(np.array([np.nan, 4.0]), [1, 2])


def test_ordinary_sizes_keep_the_ratio_sentence_with_the_layers_numbers():
    assert gradient_summary(np.array([-6.0, -3.0, -1.0]), [2, 4, 5]) == (
        "Layer 2's gradient is about 10⁻⁵ × the output layer's: the signal fades on its way back "
        "(vanishing gradient).")
    assert gradient_summary(np.array([-1.0, -1.2]), [1, 2]).endswith("every layer gets a similar signal.")
    assert gradient_summary(np.array([np.nan, np.nan]), [1, 2]) == "RMS of ∂J/∂W on the latest batch, per dense layer."


def test_the_bars_carry_the_layers_own_numbers():
    kinds = ["dense", "batchnorm", "dropout", "dense", "batchnorm", "dropout", "dense"]
    assert dense_layer_numbers(kinds) == [1, 4, 7]
    assert dense_layer_labels(kinds) == ["1", "4", "out"]
    assert dense_layer_labels([]) == []

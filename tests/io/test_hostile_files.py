"""Files that pass every documented bound and still used to hurt: nesting, surrogates,
costs, extreme values (issue 8)."""

import json

import pytest

from io_helpers import small_config
from nnplay.core import Experiment
from nnplay.io import NetworkFileError, dumps_network, loads_network, network_to_dict, read_network, write_network
from nnplay.io.limits import MAX_NESTING


def _text(**changes) -> str:
    obj = network_to_dict(small_config())
    obj.update(changes)
    return json.dumps(obj)  # ensure_ascii: a lone surrogate is written as \ud800, as a hostile file would


def _refused(text: str) -> str:
    with pytest.raises(NetworkFileError) as info:
        loads_network(text)
    assert "\n" not in str(info.value)
    return str(info.value)


def _nested(depth: int):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


# ---------------------------------------------------------------- item 8: nesting
def test_unknown_keys_nested_too_deep_are_refused_on_read():
    assert _refused(_text(notes=_nested(MAX_NESTING + 1))) == (
        f"notes: lists and objects nested more than {MAX_NESTING} levels deep")
    assert _refused(_text(notes={"a": [{"b": _nested(MAX_NESTING)}]})).startswith("notes: ")


def test_the_deepest_allowed_unknown_key_works_everywhere(tmp_path):
    cfg = loads_network(_text(notes=_nested(MAX_NESTING)))
    exp = Experiment(cfg)  # copies the config, nested keys included
    path = tmp_path / "deep.nnp"
    write_network(exp.to_config(), path)
    assert read_network(path).extra["notes"] == _nested(MAX_NESTING)


def test_deep_nesting_in_a_known_key_is_one_line():
    text = _text()
    deep = "[" * 900 + "]" * 900
    assert _refused(text.replace('"task": "binary"', f'"task": {deep}')).startswith("task: must be one of")


# ---------------------------------------------------------------- item 9: lone surrogates
@pytest.mark.parametrize("changes, where", [
    ({"name": "net \ud800"}, "name"),
    ({"notes": {"k": ["ok", "\udfff"]}}, "notes.k[1]"),
    ({"note\ud801s": 1}, "note\\ud801s"),
])
def test_a_lone_surrogate_is_refused_on_read(changes, where):
    message = _refused(_text(**changes))
    assert "half of a UTF-16 surrogate pair" in message and message.startswith(f"{where}: holds \\u")
    message.encode("utf-8")  # the message itself prints anywhere


def test_a_surrogate_pair_is_one_character_and_fine():
    cfg = loads_network(_text(name="smile \ud83d\ude00"))
    assert cfg.name == "smile 😀"


def test_writing_never_fails_on_a_lone_surrogate(tmp_path):
    cfg = small_config(name="typed \ud800")
    write_network(cfg, tmp_path / "s.nnp")  # escaped, as JSON allows
    raw = (tmp_path / "s.nnp").read_bytes().decode("utf-8")
    assert '"name": "typed \\ud800"' in raw
    assert dumps_network(cfg).count("\ud800") == 1


# ---------------------------------------------------------------- item 6: what a file may cost
def test_a_file_whose_training_needs_gigabytes_is_refused_on_read():
    layers = [{"type": "dense", "units": 125, "activation": "tanh"}, {"type": "batchnorm"},
              {"type": "dropout", "rate": 0.2}] * 21 + [{"type": "dense", "units": 1, "activation": "sigmoid"}]
    obj = network_to_dict(small_config())
    obj.update(weights=None, optimizer_state=None, resume=None, history=None, epoch=0, layers=layers)
    obj["data"].update(n=100_000)
    obj["training"].update(batch_size=0)
    message = _refused(json.dumps(obj))
    assert message.startswith("one training update on 75,000 points (a full batch) through these layers needs")
    assert "the limit is 2 GB" in message


def test_json_with_more_values_than_any_network_is_refused_before_it_is_parsed(monkeypatch):
    import nnplay.io.networkfile as networkfile

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(networkfile.json, "loads", no_parsing)
    points = "[" + ",".join(["[0.5, -1.5]"] * 3_000_000) + "]"  # 9 million values, 36 MB
    message = _refused('{"format": "nnplay-network", "data": {"x": ' + points + "}}")
    assert message == "the file holds about 9,000,003 values (numbers, lists, objects); a network file holds at " \
                      "most 8,000,000"
    assert _refused('["' + '","'.join(["ab"] * 1_000_001) + '"]').startswith("the file holds about 1,000,001 strings")


def test_the_largest_network_file_is_within_the_value_limit():
    """Weights, Adam's two slots and an early-stopping copy of a network at MAX_PARAMETERS, batch-norm
    running statistics as many again at most, 100,000 history rows and 100,000 inline points."""
    from nnplay.core.history import COLUMNS, MAX_ROWS
    from nnplay.io.networkfile import MAX_JSON_VALUES
    from nnplay.io.schema import MAX_PARAMETERS, MAX_POINTS

    weights = MAX_PARAMETERS + MAX_PARAMETERS // 2
    numbers = weights + 2 * MAX_PARAMETERS + weights + MAX_ROWS * len(COLUMNS) + 3 * MAX_POINTS
    lists = MAX_POINTS + 4 * 64 * 4096  # a list per point, and per row of each of the four copies of a matrix
    assert numbers + lists < MAX_JSON_VALUES


# ---------------------------------------------------------------- item 10: extreme finite values
def _inline(task, x, y):
    obj = network_to_dict(small_config())
    obj.update(weights=None, optimizer_state=None, resume=None, history=None, epoch=0, task=task)
    if task == "regression":
        obj.update(loss="squared")
        obj["layers"][-1]["activation"] = "identity"
    obj["data"] = {"source": "inline", "x": x, "y": y, "validation_fraction": 0.0}
    return json.dumps(obj)


@pytest.mark.parametrize("task, x, y, message", [
    ("binary", [[0.0, 1.0], [1.7e308, -1.7e308]], [0, 1], "data.x[1][0]: 1.7e+308 is too large"),
    ("regression", [[0.0, 1.0], [1.0, 2.0]], [1.0, -1e308], "data.y[1]: -1e+308 is too large"),
])
def test_points_and_targets_whose_features_or_plots_would_overflow_are_refused(task, x, y, message):
    assert _refused(_inline(task, x, y)) == f"{message}; points and targets are at most 1e+100 in size"


def test_large_but_bounded_points_still_read():
    cfg = loads_network(_inline("regression", [[1e100, -1e100], [0.0, 1.0]], [1e100, 0.0]))
    assert cfg.data.x[0] == [1e100, -1e100]


def test_a_csv_with_values_that_would_overflow_is_refused_naming_line_and_column(tmp_path):
    from nnplay.io.points_csv import PointsFileError, read_points

    path = tmp_path / "p.csv"
    path.write_text("x1,x2,value\n0,1,2\n1,-1.7e308,3\n")
    with pytest.raises(PointsFileError, match=r"^line 3, column 2 \(x2\): -1\.7e\+308 is too large; nnplay takes "
                                              r"numbers up to 1e\+100 in size$"):
        read_points(path)
    path.write_text("x1,value\n0,1e308\n")
    with pytest.raises(PointsFileError, match=r"^line 2, column 2 \(value\): 1e\+308 is too large"):
        read_points(path)


def test_the_engine_refuses_such_points_however_they_come():
    from nnplay.core.datasets import from_points

    with pytest.raises(ValueError, match="larger than 1e"):
        from_points([[1e101, 0.0]], [0], "binary")
    with pytest.raises(ValueError, match="larger than 1e"):
        from_points([[0.0]], [1e200], "regression")

"""Property: any mangled file either reads as a usable network or raises NetworkFileError,
never another exception. "Usable" (issue 8) includes: it builds and predicts, writes back
as UTF-8 and reads back the same, prints with nothing a terminal would act on, and costs
no more memory to train than the limit. Points CSVs get the same treatment."""

import copy
import os
import json

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from io_helpers import full_config
from nnplay.cli import info_lines
from nnplay.core import Experiment, cost
from nnplay.core.datasets import MAX_COORDINATE
from nnplay.core.features import transform
from nnplay.io import NetworkFileError, dumps_network, loads_network, network_to_dict, parse_network
from nnplay.io.limits import MAX_NESTING
from nnplay.io.networkfile import utf8
from nnplay.terminal import printable

BASE = network_to_dict(full_config())
BASE_TEXT = dumps_network(full_config())

FUZZ = settings(max_examples=int(os.environ.get("NNPLAY_FUZZ_EXAMPLES", 300)), deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
    | st.sampled_from([0, 1, -1, 0.5, 1.0, 4096, 4097, 100_000, "", "x1", "dense", "relu", "adam", [], {}]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _paths(obj, prefix=()):
    """Every (container, key) in the tree, skipping into long arrays only a little."""
    out = []
    items = obj.items() if isinstance(obj, dict) else enumerate(obj[:3]) if isinstance(obj, list) else ()
    for key, value in items:
        out.append((prefix, key))
        out.extend(_paths(value, prefix + (key,)))
    return out


PATHS = _paths(BASE)


def _container(obj, prefix):
    for key in prefix:
        obj = obj[key]
    return obj


def _must_be_usable_or_refused(load):
    try:
        cfg = load()
    except NetworkFileError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    # accepted: it must build, predict, and write back to a file that reads the same
    assert cost.problem(cfg) is None
    exp = Experiment(cfg)
    out = exp.predict(np.zeros((2, exp.dataset.dims)))
    assert out.shape[0] == 2
    assert np.isfinite(transform(cfg.features, exp.dataset.x)).all()
    text = dumps_network(cfg)
    assert dumps_network(loads_network(utf8(text).decode("utf-8"))) == text
    shown = printable("\n".join(info_lines(cfg)))
    assert all(line.isprintable() for line in shown.split("\n"))


mutation = st.tuples(st.sampled_from(["delete", "replace", "retype"]), st.integers(0, len(PATHS) - 1), json_values)


def mutate(mutations) -> dict:
    obj = copy.deepcopy(BASE)
    for kind, index, value in mutations:
        prefix, key = PATHS[index]
        try:
            parent = _container(obj, prefix)
            old = parent[key]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this branch
        if not isinstance(parent, (dict, list)):
            continue  # an earlier mutation turned the branch into a string
        if kind == "delete":
            del parent[key]
        elif kind == "replace":
            parent[key] = value
        else:  # the same information as another JSON type
            parent[key] = {int: str, float: str, str: lambda s: [s], list: lambda v: {"0": v},
                           dict: lambda v: list(v.values()), bool: int}.get(type(old), lambda v: str(v))(old)
    return obj


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_structure(mutations):
    obj = mutate(mutations)
    _must_be_usable_or_refused(lambda: parse_network(obj))


@FUZZ
@given(st.integers(0, len(BASE_TEXT)))
def test_truncated_text(cut):
    _must_be_usable_or_refused(lambda: loads_network(BASE_TEXT[:cut]))


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(BASE_TEXT)), st.binary(min_size=1, max_size=4)), min_size=1, max_size=3))
def test_random_bytes(edits):
    data = bytearray(BASE_TEXT.encode())
    for position, junk in edits:
        data[position:position + len(junk)] = junk

    def load():
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise NetworkFileError("not UTF-8")
        return loads_network(text)

    _must_be_usable_or_refused(load)


@FUZZ
@given(json_values)
def test_any_json_value_at_the_top(value):
    _must_be_usable_or_refused(lambda: parse_network(value))


@FUZZ
@given(st.sampled_from([p for p in PATHS if p[0][:1] in (("training",), ("data",), ("optimizer",), ("layers",))]),
       st.sampled_from([True, False, None, -1, 0, 1e308, -1e-300, 2**64, "1", [1], {"a": 1}, 3.5]))
def test_settings_with_hostile_values(where, value):
    obj = copy.deepcopy(BASE)
    prefix, key = where
    _container(obj, prefix)[key] = value
    _must_be_usable_or_refused(lambda: parse_network(json.loads(json.dumps(obj))))


# ---------------------------------------------------------------- the shapes of input issue 8 found
hostile_text = st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Co", "L", "P", "S"]), max_size=12) | \
    st.sampled_from(["\ud800", "a\udfffb", "\ud83d\ude00", "<img src='/dev/zero'>", "\x1b]0;pwned\x07", "\x1b[2J",
                     "\u202e", "[*]", "R&D", "\r\n", ""])


def nested(depth: int, leaf):
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@FUZZ
@given(hostile_text, st.dictionaries(hostile_text, hostile_text, max_size=3), st.integers(0, 3 * MAX_NESTING))
def test_hostile_text_and_nesting_in_the_name_and_unknown_keys(name, extra, depth):
    obj = copy.deepcopy(BASE)
    obj["name"] = name
    obj.update(extra)
    obj["notes"] = nested(depth, name)
    text = json.dumps(obj)  # lone surrogates arrive as \ud800 escapes, as in a hostile file

    def load():
        cfg = loads_network(text)
        assert depth <= MAX_NESTING  # deeper was refused
        return cfg

    _must_be_usable_or_refused(load)


extreme_floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [1.7976931348623157e308, -1.7e308, 1e308, 1e200, 1.0000000000000001e100, 1e100, -1e100, 5e-324, -0.0])


@FUZZ
@given(st.sampled_from(["binary", "regression"]), st.lists(st.tuples(extreme_floats, extreme_floats), min_size=1,
                                                            max_size=6), st.lists(extreme_floats, min_size=6, max_size=6))
def test_extreme_numbers_in_inline_points_and_targets(task, points, values):
    obj = copy.deepcopy(BASE)
    obj.update(task=task, weights=None, optimizer_state=None, resume=None, history=None, epoch=0)
    if task == "regression":
        obj["loss"] = "squared"
        obj["layers"][-1]["activation"] = "identity"
    y = values[:len(points)] if task == "regression" else [i % 2 for i in range(len(points))]
    obj["data"] = {"source": "inline", "x": [list(p) for p in points], "y": y, "validation_fraction": 0.0}
    text = json.dumps(obj)
    accepted = all(abs(v) <= MAX_COORDINATE for p in points for v in p) and \
        (task != "regression" or all(abs(v) <= MAX_COORDINATE for v in y))

    def load():
        cfg = loads_network(text)
        assert accepted
        return cfg

    _must_be_usable_or_refused(load)
    if not accepted:
        try:
            loads_network(text)
        except NetworkFileError as exc:
            assert "is too large" in str(exc)


@FUZZ
@given(st.lists(st.sampled_from([1e308, -1.7976931348623157e308, 1e-320, 0.0, None, 3.5]), min_size=1, max_size=6))
def test_extreme_numbers_in_the_history(column):
    obj = copy.deepcopy(BASE)
    n = len(obj["history"]["epoch"])
    for name in obj["history"]:
        if name != "epoch":
            obj["history"][name] = (column * n)[:n]
    _must_be_usable_or_refused(lambda: loads_network(json.dumps(obj)))


layer_specs = st.one_of(
    st.builds(lambda u, a: {"type": "dense", "units": u, "activation": a}, st.integers(1, 4096),
              st.sampled_from(["tanh", "relu", "sigmoid"])),
    st.just({"type": "batchnorm"}),
    st.builds(lambda r: {"type": "dropout", "rate": r}, st.sampled_from([0.0, 0.2, 0.5])),
)


@settings(max_examples=int(os.environ.get("NNPLAY_FUZZ_EXAMPLES", 300)) // 5, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(layer_specs, max_size=8), st.integers(1, 100_000), st.integers(0, 100_000))
def test_architectures_that_fit_every_bound_but_cost_too_much_are_refused(hidden, n, batch):
    obj = copy.deepcopy(BASE)
    obj.update(weights=None, optimizer_state=None, resume=None, history=None, epoch=0,
               layers=hidden + [{"type": "dense", "units": 1, "activation": "sigmoid"}])
    obj["data"].update(n=n)
    obj["training"].update(batch_size=batch)
    try:
        cfg = parse_network(obj)
    except NetworkFileError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert cost.problem(cfg) is None  # what was accepted fits in memory; not built here, it may be large


csv_cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-3, 7).map(str), hostile_text,
    st.sampled_from(["1.7e308", "-1e308", "1e100", "nan", "inf", '"1,2"', "", " ", "0x10", "1_000"]))


@FUZZ
@given(st.sampled_from(["x1,x2,label", "x1,x2,value", "x1,label", "x1,value", "x1,x2", "", "a,b,c"]),
       st.lists(st.lists(csv_cells, min_size=1, max_size=4), max_size=6))
def test_any_points_csv_reads_as_bounded_points_or_one_line(tmp_path_factory, header, rows):
    from nnplay.io.points_csv import PointsFileError, read_inputs, read_points

    path = tmp_path_factory.mktemp("csv") / "p.csv"
    text = header + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    for read in (read_points, lambda p: read_inputs(p, 2)):
        try:
            data = read(path)
        except PointsFileError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        x = data.x if hasattr(data, "x") else data
        assert np.isfinite(x).all() and (np.abs(x) <= MAX_COORDINATE).all()

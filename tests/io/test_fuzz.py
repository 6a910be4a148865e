"""Property: any mangled file either reads as a usable network or raises NetworkFileError,
never another exception."""

import copy
import os
import json

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from io_helpers import full_config
from nnplay.core import Experiment
from nnplay.io import NetworkFileError, dumps_network, loads_network, network_to_dict, parse_network

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
    exp = Experiment(cfg)
    out = exp.predict(np.zeros((2, exp.dataset.dims)))
    assert out.shape[0] == 2
    text = dumps_network(cfg)
    assert dumps_network(loads_network(text)) == text


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

"""Points CSV: data-set import with an inferred task, prediction inputs, one-line errors."""

import numpy as np
import pytest

from nnplay.core.datasets import generate
from nnplay.io.points_csv import PointsFileError, read_inputs, read_points, write_points


def _csv(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(fn, *args) -> str:
    with pytest.raises(PointsFileError) as info:
        fn(*args)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_binary(tmp_path):
    data = read_points(_csv(tmp_path, "x1,x2,label\n0.5,-1,0\n1.5,2,1\n\n"))
    assert data.task == "binary" and data.n_classes == 2
    assert data.x.tolist() == [[0.5, -1.0], [1.5, 2.0]] and data.y.tolist() == [0, 1]


def test_multiclass_with_spaces_bom_and_capitals(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbf X1 , X2 ,Label\r\n0,0,2\r\n1,1,0\r\n2,2,1\r\n")
    data = read_points(path)
    assert data.task == "multiclass" and data.n_classes == 3 and data.y.tolist() == [2, 0, 1]


def test_regression_one_input(tmp_path):
    data = read_points(_csv(tmp_path, "x1,value\n-1,0.25\n2,1e-3\n"))
    assert data.task == "regression" and data.dims == 1 and data.y.tolist() == [0.25, 0.001]


def test_write_then_read_gives_the_same_points(tmp_path):
    for name in ("spiral", "blobs", "ripple", "sine"):
        data = generate(name, 50, 0.2, 7)
        path = tmp_path / f"{name}.csv"
        write_points(data, path)
        again = read_points(path)
        assert again.task == data.task and np.array_equal(again.x, data.x) and np.array_equal(again.y, data.y)


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty; it needs a header row such as x1,x2,label"),
    ("\n\n", "the file is empty"),
    ("0.5,1,0\n1,2,1\n", "has no header row; the first row must name the columns: x1,x2,label"),
    ("a,b,class\n1,2,0\n", 'line 1: the header is "a,b,class"; the first row must name the columns'),
    ("x1,x2,label\n", "the header has no points under it"),
    ("x1,x2,label\n1,2,0\n1,abc,1\n", 'line 3, column 2 (x2): "abc" is not a number'),
    ("x1,x2,label\n1,2,0\n1,2\n", "line 3: 2 cells, expected 3 (x1,x2,label)"),
    ("x1,x2,label\n1,2,0\n1,2,1,4\n", "line 3: 4 cells, expected 3 (x1,x2,label)"),
    ("x1,x2,label\n1,2,0.5\n", "line 2, column 3 (label): 0.5 is not a class label (0, 1, 2, …)"),
    ("x1,x2,label\n1,2,-1\n", "line 2, column 3 (label): -1 is not a class label"),
    ("x1,x2,label\n1,2,9\n", "line 2, column 3 (label): class 9 is too many; nnplay takes up to 6 classes"),
    ("x1,x2,value\n1,nan,0.5\n", 'line 2, column 2 (x2): "nan" is not a finite number'),
    ("x1,x2,value\n1,2,inf\n", 'line 2, column 3 (value): "inf" is not a finite number'),
    ('x1,x2,value\n1,"2\n', "line 2: not CSV"),
])
def test_bad_data_files(tmp_path, text, message):
    assert _error(read_points, _csv(tmp_path, text)).startswith(message)


def test_not_utf8_and_missing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"x1,x2,label\n1,2,\xff\n")
    assert _error(read_points, path) == "not UTF-8 text (byte 0xff on line 2); save it as UTF-8"
    assert _error(read_points, tmp_path / "missing.csv") == "no such file"


@pytest.mark.parametrize("text, dims, expected", [
    ("x1,x2\n1,2\n3,4\n", 2, [[1, 2], [3, 4]]),
    ("1,2\n3,4\n", 2, [[1, 2], [3, 4]]),
    ("x1\n1\n3\n", 1, [[1], [3]]),
    ("1\n-3.5\n", 1, [[1], [-3.5]]),
    ("x1,x2,label\n1,2,0\n", 2, [[1, 2]]),  # a data-set file works too; its labels are ignored
    ("x1,value\n1,0.3\n", 1, [[1]]),
])
def test_prediction_inputs(tmp_path, text, dims, expected):
    assert read_inputs(_csv(tmp_path, text), dims).tolist() == expected


@pytest.mark.parametrize("text, dims, message", [
    ("x1\n1\n", 2, 'line 1: the header is "x1"; expected x1,x2 (the network reads 2 inputs)'),
    ("a,b\n1,2\n", 2, 'line 1: the header is "a,b"; expected x1,x2'),
    ("1\n2\n", 2, "line 1: 1 column, but the network reads 2 inputs per point"),
    ("1,2,3\n", 2, "line 1: 3 columns, but the network reads 2 inputs per point"),
    ("1,2\n3\n", 2, "line 2: 1 cell, expected 2 (x1,x2)"),
    ("x1,x2\n1,two\n", 2, 'line 2, column 2 (x2): "two" is not a number'),
])
def test_bad_prediction_inputs(tmp_path, text, dims, message):
    assert _error(read_inputs, _csv(tmp_path, text), dims).startswith(message)


def test_imported_points_become_a_network_file_data_section(tmp_path):
    from io_helpers import small_config
    from nnplay.core import DenseConfig, Experiment
    from nnplay.io import dumps_network, loads_network
    from nnplay.io.points_csv import inline_data

    data = read_points(_csv(tmp_path, "x1,x2,label\n0,0,0\n1,1,2\n2,0,1\n0,2,2\n"))
    cfg = small_config(task="multiclass", loss="nllm", layers=[DenseConfig(4), DenseConfig(3, "softmax")],
                       data=inline_data(data, 0.25))
    again = loads_network(dumps_network(cfg))
    exp = Experiment(again)
    assert np.array_equal(exp.dataset.x, data.x) and np.array_equal(exp.dataset.y, data.y)
    assert len(exp.split.train) == 3


def test_too_many_rows(tmp_path, monkeypatch):
    import nnplay.io.points_csv as points_csv
    monkeypatch.setattr(points_csv, "MAX_ROWS", 3)
    path = _csv(tmp_path, "x1,x2,label\n" + "1,2,0\n" * 4)
    assert _error(read_points, path) == "more than 3 points; nnplay takes at most 3"
    assert read_points(_csv(tmp_path, "x1,x2,label\n" + "1,2,0\n" * 3, "ok.csv")).x.shape == (3, 2)

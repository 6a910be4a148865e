"""Reading files (every way it can fail, one line each) and atomic writing."""

import json
import os

import pytest

import nnplay.io.atomic
import nnplay.io.networkfile as networkfile
from nnplay.io import NetworkFileError, dumps_network, read_network, write_network


def _read_error(path) -> str:
    with pytest.raises(NetworkFileError) as info:
        read_network(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_write_then_read(tmp_path, full):
    path = tmp_path / "net.nnp"
    write_network(full, path)
    assert dumps_network(read_network(path)) == dumps_network(full)
    assert path.read_bytes().decode("utf-8") == dumps_network(full)


def test_missing_file(tmp_path):
    assert _read_error(tmp_path / "nope.nnp") == "no such file"


def test_folder(tmp_path):
    assert _read_error(tmp_path) == "is a folder, not a file"


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.nnp"
    path.write_bytes(b'{\n"name": "caf\xe9"}')
    assert _read_error(path) == "not UTF-8 text (byte 0xe9 on line 2); save it as UTF-8"


def test_utf8_with_byte_order_mark_is_fine(tmp_path, config):
    path = tmp_path / "bom.nnp"
    path.write_bytes(b"\xef\xbb\xbf" + dumps_network(config).encode())
    assert read_network(path).name == "small"


def test_not_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.nnp"
    path.write_text('{\n  "format": "nnplay-network",\n  "version" 1\n}')
    assert _read_error(path) == "not valid JSON: Expecting ':' delimiter at line 3, column 13"


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ('{"a": NaN}', "not usable JSON: NaN is not a number JSON allows"),
    ('{"a": -Infinity}', "not usable JSON: -Infinity is not a number JSON allows"),
    ('{"a": 1e999}', "not usable JSON: the number 1e999 is too large for a float"),
    ("[" * 100_000, "not usable JSON: nested too deeply"),
    ('{"a": ' + "9" * 5000 + "}", "not usable JSON: Exceeds the limit"),
    ("[1, 2]", "the file holds a list, not a network object {...}"),
    ('"nnplay"', "the file holds a string, not a network object {...}"),
])
def test_json_that_is_not_a_network(tmp_path, text, message):
    path = tmp_path / "odd.nnp"
    path.write_text(text)
    assert _read_error(path).startswith(message)


def test_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(networkfile, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.nnp"
    path.write_text(json.dumps({"pad": "x" * 2000}))
    assert _read_error(path).startswith("the file is too large")


def test_atomic_save_keeps_the_old_file_when_the_rename_fails(tmp_path, monkeypatch, config, full):
    path = tmp_path / "net.nnp"
    write_network(config, path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nnplay.io.atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_network(full, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.nnp"]  # no temporary file left behind


def test_atomic_save_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch, config, full):
    path = tmp_path / "net.nnp"
    write_network(config, path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(nnplay.io.atomic.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_network(full, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.nnp"]


def test_a_file_that_cannot_be_serialized_is_never_started(tmp_path, monkeypatch, config, full):
    path = tmp_path / "net.nnp"
    write_network(config, path)
    before = path.read_bytes()

    def broken_dumps(obj):
        raise ValueError("boom")

    monkeypatch.setattr(networkfile, "dumps", broken_dumps)
    with pytest.raises(ValueError):
        write_network(full, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.nnp"]


def test_save_keeps_the_mode_and_follows_links(tmp_path, config):
    real = tmp_path / "real.nnp"
    write_network(config, real)
    os.chmod(real, 0o640)
    link = tmp_path / "link.nnp"
    link.symlink_to(real)
    config.name = "changed"
    write_network(config, link)
    assert link.is_symlink()
    assert read_network(real).name == "changed"
    assert os.stat(real).st_mode & 0o777 == 0o640


def test_never_writes_a_file_too_large_to_read_back(tmp_path, monkeypatch, full):
    monkeypatch.setattr(networkfile, "MAX_FILE_BYTES", 1000)
    with pytest.raises(NetworkFileError, match="the network file would be 0 MB; the limit is 0 MB"):
        write_network(full, tmp_path / "big.nnp")
    assert os.listdir(tmp_path) == []


def test_the_largest_network_allowed_fits_in_a_file(tmp_path):
    """MAX_PARAMETERS is chosen so weights, Adam's two slots and a best copy stay under the read limit."""
    from nnplay.io.schema import MAX_PARAMETERS
    per_number = len(repr(-0.12345678901234567)) + 2  # the longest repr of a typical weight, and ", "
    assert 4 * MAX_PARAMETERS * per_number < networkfile.MAX_FILE_BYTES

"""Input files: every problem is a one-line error that names the file (and the field, for a document that
breaks its JSON Schema)."""

import json

import pytest

from reports.loader import BENCH, KNOWN_SCHEMAS, VERIFY, ReportInputError, load

from .helpers import ALL_FILES, FIXTURES


def _verify_fixture() -> dict:
    return json.loads((FIXTURES / "verify-initlib.json").read_text())


def _write(tmp_path, data, name="in.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_fixture_loads(name):
    inp = load(FIXTURES / name)
    assert inp.schema in KNOWN_SCHEMAS
    assert inp.path.endswith(name)


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nowhere" / "verify.json"
    with pytest.raises(ReportInputError, match="no such file") as err:
        load(path)
    assert str(path) in str(err.value)


def test_corrupt_json_names_the_file_and_the_place(tmp_path):
    path = _write(tmp_path, '{"schema": "initcheck.verify/1", "target": ', "corrupt.json")
    with pytest.raises(ReportInputError, match="not valid JSON") as err:
        load(path)
    assert str(err.value).startswith(str(path))
    assert "line 1" in str(err.value)


def test_nan_is_refused(tmp_path):
    data = json.dumps(_verify_fixture()).replace('"alpha": 0.001', '"alpha": NaN', 1)
    path = _write(tmp_path, data, "nan.json")
    with pytest.raises(ReportInputError, match="NaN") as err:
        load(path)
    assert str(path) in str(err.value)


def test_unknown_schema_names_the_file_and_the_schema(tmp_path):
    path = _write(tmp_path, {"schema": "initcheck.verify/2", "target": "x"}, "future.json")
    with pytest.raises(ReportInputError, match=r"unknown schema 'initcheck\.verify/2'") as err:
        load(path)
    assert str(path) in str(err.value)


def test_no_schema_and_not_an_object(tmp_path):
    with pytest.raises(ReportInputError, match="no 'schema' field"):
        load(_write(tmp_path, {"target": "x"}))
    with pytest.raises(ReportInputError, match="JSON object"):
        load(_write(tmp_path, "[1, 2]"))


def test_a_schema_given_to_the_wrong_option(tmp_path):
    path = FIXTURES / "bench-cpu.json"
    with pytest.raises(ReportInputError, match=f"holds {BENCH}, but this option takes {VERIFY}") as err:
        load(path, VERIFY)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("field", ["passed", "status", "known_deviation", "p_value"])
def test_a_verdict_missing_a_required_field_is_named_with_its_place(tmp_path, field):
    """Issue 13: a verdict without ``passed`` is rejected, naming the file and the field, never a blank."""
    data = _verify_fixture()
    del data["verdicts"][3][field]
    path = _write(tmp_path, data)
    with pytest.raises(ReportInputError) as err:
        load(path)
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert f"verdicts[3] lacks the field '{field}'" in message


def test_a_field_of_the_wrong_type(tmp_path):
    data = _verify_fixture()
    data["verdicts"][0]["p_value"] = "0.5"
    with pytest.raises(ReportInputError, match=r"verdicts\[0\]\.p_value: '0\.5' is not of type 'number', 'null'"):
        load(_write(tmp_path, data))


def test_a_bench_target_is_checked_too(tmp_path):
    data = json.loads((FIXTURES / "bench-cpu.json").read_text())
    data["targets"] = [{"target": "t", "initializer": "normal_", "device": "cpu", "value": 0.9, "comparison": "<="}]
    with pytest.raises(ReportInputError, match=r"targets\[0\] lacks the field 'threshold'"):
        load(_write(tmp_path, data))


def test_an_unknown_status(tmp_path):
    data = _verify_fixture()
    data["initializers"][0]["status"] = "ok"
    with pytest.raises(ReportInputError, match=r"initializers\[0\]\.status: 'ok' is not one of"):
        load(_write(tmp_path, data))


def test_inconsistent_plot_data(tmp_path):
    data = _verify_fixture()
    plotted = next(v for v in data["verdicts"] if v["plot"])
    plotted["plot"]["hist_counts"].pop()
    with pytest.raises(ReportInputError, match="hist_edges should have one more entry"):
        load(_write(tmp_path, data))


def test_a_field_the_contract_does_not_know_is_named(tmp_path):
    """The verdict record is closed (additionalProperties false): a new field goes into the schema first."""
    data = _verify_fixture()
    data["verdicts"][0]["extra"] = [1, 2]
    with pytest.raises(ReportInputError, match=r"verdicts\[0\]: Additional properties .*'extra'"):
        load(_write(tmp_path, data))


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_schema_is_a_valid_json_schema_and_names_its_kind(name):
    import jsonschema

    from reports.loader import KINDS, SCHEMA_DIR

    schema = load(FIXTURES / name).schema
    kind = next(k for k, s in KINDS.items() if s == schema)
    document = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["properties"]["schema"]["const"] == schema


def test_an_interrupted_run_loads_and_its_exit_status_must_say_so(tmp_path):
    """Ctrl-C or SIGTERM during `verify --json` writes the verdicts so far, marked interrupted, exit status
    130: a document the report reads. Exit status 130 without the mark, or the mark without it, is not."""
    data = _verify_fixture()
    data["interrupted"] = True
    data["summary"]["exit_code"] = 130
    assert load(_write(tmp_path, data, "interrupted.json")).data["interrupted"] is True
    for mark, code in ((True, 0), (None, 130)):
        broken = {**data, "summary": {**data["summary"], "exit_code": code}}
        if mark is None:
            del broken["interrupted"]
        with pytest.raises(ReportInputError, match="exit_code is 130 exactly when the run was interrupted"):
            load(_write(tmp_path, broken, "inconsistent.json"))
    with pytest.raises(ReportInputError, match="interrupted"):
        load(_write(tmp_path, {**data, "interrupted": False}, "false.json"))  # present only when true

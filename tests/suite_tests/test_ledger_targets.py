"""Ledger entries that apply to one target only (one backend of a framework), and their reproductions."""

from suite.engine.ledger import Ledger
from suite.engine.verdict import FAIL, Verdict


def _failed(target: str) -> Verdict:
    verdict = Verdict(target, "uniform_", "range", 0, "uniform_(torch.empty((4,)))", "c", passed=False, seed=1)
    verdict.status = FAIL
    return verdict


def test_an_entry_with_a_target_covers_that_target_only(tmp_path):
    path = tmp_path / "fw.toml"
    path.write_text(
        '[[deviation]]\ncheck = "uniform_/range#*"\ntarget = "fw[torch]"\nreason = "torch only"\n'
        'reproduce = """\nimport fw\n"""\n'
    )
    ledger = Ledger.read(path)
    torch_backend, jax_backend = _failed("fw[torch]"), _failed("fw[jax]")
    ledger.apply([torch_backend, jax_backend])
    assert torch_backend.status == "deviation" and jax_backend.status == FAIL
    entry = ledger.to_json()["entries"][0]
    assert entry["target"] == "fw[torch]" and entry["reproduce"].strip() == "import fw"


def test_a_backends_target_shares_its_frameworks_ledger(tmp_path, monkeypatch):
    from suite.engine import ledger as ledger_module

    (tmp_path / "fw.toml").write_text('[[deviation]]\ncheck = "x"\nreason = "r"\n')
    monkeypatch.setattr(ledger_module, "LEDGERS", tmp_path)
    assert Ledger.for_target("fw[jax]").path == str(tmp_path / "fw.toml")
    assert Ledger.for_target("fw") is not None and Ledger.for_target("other[jax]") is None


def test_a_rare_deviation_that_passes_is_not_called_fixed(tmp_path):
    """An exact check of a rare event (a bound broken by a few values per million) may see none in one
    sample: with ``rare = true`` the pass stays a pass, without it it is reported as fixed."""
    path = tmp_path / "fw.toml"
    path.write_text('[[deviation]]\ncheck = "uniform_/range#*"\nrare = true\nreason = "rare"\n')
    for rare, expected in ((True, "pass"), (False, "deviation-fixed")):
        ledger = Ledger.read(path) if rare else Ledger.read(_without_rare(path))
        verdict = _failed("fw")
        verdict.status, verdict.passed = "pass", True
        ledger.apply([verdict])
        assert verdict.status == expected


def _without_rare(path):
    plain = path.with_name("plain.toml")
    plain.write_text(path.read_text().replace("rare = true\n", ""))
    return plain


def test_every_ledger_entry_has_a_reproduction_of_five_lines_or_fewer():
    """Every ledger in suite/ledgers/ (each adapted framework's among them: Keras's, JAX's), every entry: a
    reproduction a user can paste, five lines or fewer, that is Python."""
    from suite.engine import targets
    from suite.engine.ledger import LEDGERS

    paths = sorted(LEDGERS.glob("*.toml"))
    framework_ledgers = {f"{name}.toml" for name in {**targets.ADAPTERS, **targets.LAYER_TARGETS, **targets.CLAIMS}}
    assert {"keras.initializers.toml", "jax.nn.initializers.toml"} <= {p.name for p in paths} & framework_ledgers
    for path in paths:
        entries = Ledger.read(path).entries
        assert entries, f"{path.name}: no entries"
        for entry in entries:
            lines = (entry.reproduce or "").strip().splitlines()
            assert 0 < len(lines) <= 5, f"{path.name}: {entry.check} has a reproduction of {len(lines)} lines"
            compile(entry.reproduce, f"{path.name}: {entry.check}", "exec")  # a SyntaxError fails the test

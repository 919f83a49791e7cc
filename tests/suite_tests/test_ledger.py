"""Ledgers of known deviations: which verdicts an entry matches, and clear errors for a bad file."""

import pytest

from suite.engine.ledger import Ledger
from suite.engine.verdict import DEVIATION, DEVIATION_FIXED, FAIL, PASS, Verdict


def _verdict(call: str, passed: bool = False, check: str = "structure.off_centre_zero") -> Verdict:
    return Verdict(
        target="t",
        initializer="delta_orthogonal_",
        check=check,
        case=0,
        call=call,
        claim="every tap but the centre is zero",
        passed=passed,
        seed=1,
        status=PASS if passed else FAIL,
    )


EVEN_KERNEL = r"empty\(\(\d+, \d+(, \d+)*, \d*[02468](, \d+)*\)"


def _ledger(tmp_path, body: str) -> Ledger:
    path = tmp_path / "ledger.toml"
    path.write_text(body)
    return Ledger.read(path)


def test_call_regex_limits_an_entry_to_the_calls_it_names(tmp_path):
    ledger = _ledger(
        tmp_path,
        "[[deviation]]\ncheck = 'delta_orthogonal_/structure.*'\n"
        f"call_regex = '''{EVEN_KERNEL}'''\nreason = 'centre'\n",
    )
    even = _verdict("delta_orthogonal_(torch.empty((18, 3, 3, 1, 4)))")
    even_first = _verdict("delta_orthogonal_(torch.empty((8, 8, 2, 3)), gain=0.5)")
    odd = _verdict("delta_orthogonal_(torch.empty((18, 3, 3, 1, 5)))", passed=True)
    odd_failing = _verdict("delta_orthogonal_(torch.empty((18, 3, 3)))")
    ledger.apply([even, even_first, odd, odd_failing])
    assert even.status == DEVIATION and even_first.status == DEVIATION
    assert odd.status == PASS and not odd.known_deviation  # not listed, so not "fixed" either
    assert odd_failing.status == FAIL  # a failure the entry does not explain stays a failure


def test_an_exact_ledgered_check_that_passes_is_reported_fixed(tmp_path):
    ledger = _ledger(tmp_path, "[[deviation]]\ncheck = 'delta_orthogonal_/*'\nreason = 'r'\n")
    verdict = _verdict("delta_orthogonal_(torch.empty((4, 4, 3)))", passed=True)
    ledger.apply([verdict])
    assert verdict.status == DEVIATION_FIXED


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[[deviation]]\ncheck = 'a/*'\ncall_regex = '('\nreason = 'r'\n", "call_regex"),
        ("[[deviation]]\ncheck = 'a/*'\n", "reason"),
        ("[[deviation\n", "not valid TOML"),
    ],
)
def test_a_bad_ledger_names_the_file_and_the_rule(tmp_path, body, words):
    with pytest.raises(ValueError, match=words) as error:
        _ledger(tmp_path, body)
    assert "ledger.toml" in str(error.value)

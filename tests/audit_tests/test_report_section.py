"""The report's audit section: JSON -> context -> HTML, plots inline, bad files named."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from reports.loader import AUDIT, ReportInputError, load
from reports.sections import audit as section
from suite.audit import audit, output


def _mlp(width: int = 32) -> nn.Module:
    return nn.Sequential(nn.Linear(16, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 4))


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    def inputs():
        return torch.randn(8, 16, generator=torch.Generator().manual_seed(0))

    result = audit(_mlp, None, seed=0, budget="quick", builds=1, inputs=inputs, widths=[32, 64])
    path = tmp_path_factory.mktemp("audit") / "audit.json"
    path.write_text(json.dumps(output.to_json(result)))
    return path


def test_section_shows_every_parameter_and_both_plots(record):
    html = section.render(section.context(load(record, AUDIT).data, str(record)))
    for name in ("0.weight", "0.bias", "2.weight", "4.bias"):
        assert f'<code class="param">{name.replace(".", ".<wbr>")}</code>' in html
    assert html.count('src="data:image/png;base64,') == 2
    assert "kaiming_uniform_(a=sqrt(5))" in html and "torch default of nn.Linear.weight" in html


def test_bad_files_are_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "initcheck.verify/1"}')
    with pytest.raises(
        ReportInputError, match=r"bad.json: holds initcheck.verify/1, but this option takes initcheck.audit/1"
    ):
        load(bad, AUDIT)
    with pytest.raises(ReportInputError, match=r"missing\.json: no such file"):
        load(tmp_path / "missing.json", AUDIT)


def test_a_sharded_audit_shows_each_parameters_placement_and_each_ranks_memory(record):
    data = load(record, AUDIT).data
    data["params"][0]["placement"] = "mesh (2,) ['dp']: Shard(dim=0)"
    data["ranks"] = [
        {"rank": 0, "shard_bytes": 2 * 1048576, "peak_rss_bytes": 300 * 1048576, "seconds": 1.5},
        {"rank": 1, "error": "exit status 3"},
    ]
    html = section.render(section.context(data))
    assert "Shard(dim=0)" in html and "2.0 MiB" in html and "300 MiB" in html and "exit status 3" in html

"""A small GPT-2-shaped model in plain torch, initialized the way GPT-2 documents it (Radford et al.
2019, section 2.3: "scale the weights of residual layers at initialization by a factor of 1/sqrt(N)
where N is the number of residual layers"; transformers' GPT2PreTrainedModel._init_weights: weights
N(0, 0.02^2), residual projections c_proj N(0, (0.02 / sqrt(2 n_layer))^2), biases 0, LayerNorm 1 and 0),
and the same model with each seeded initialization bug of issue 14. Audit it with its spec:

    python -m suite audit --model examples/models/tiny_gpt.py:correct --spec examples/specs/tiny_gpt.toml
    python -m suite audit --model examples/models/tiny_gpt.py:bug_std_15_percent --spec examples/specs/tiny_gpt.toml
"""

from __future__ import annotations

import functools
import math

import torch
from torch import nn

N_LAYER, WIDTH, VOCAB, CONTEXT = 4, 64, 256, 32
STD = 0.02
#: The seeded bugs (issue 14), each a factory ``bug_<name>`` of this module.
BUGS = (
    "no_depth_scaling",  # c_proj lost its 1/sqrt(2 n_layer)
    "std_one",  # std 1.0 instead of 0.02 in one module
    "skipped_module_type",  # the init hook never visits nn.Linear: torch's default stays
    "identical_projections",  # q and k filled from the same generator state
    "layernorm_random",  # LayerNorm weights re-initialized as N(0, 0.02^2)
    "zero_weight",  # one weight left zero where random was declared
    "std_15_percent",  # a std 15% too large in one layer
    "uninitialized",  # a tensor left as torch.empty memory
)


class Attention(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(width, width) for _ in range(3))
        self.c_proj = nn.Linear(width, width)

    def forward(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        mask = torch.ones(x.shape[1], x.shape[1], dtype=torch.bool).tril()
        return self.c_proj(scores.masked_fill(~mask, float("-inf")).softmax(-1) @ v)


class Block(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.attn = Attention(width)
        self.mlp = nn.Sequential()
        self.mlp.c_fc = nn.Linear(width, 4 * width)
        self.mlp.act = nn.GELU()
        self.mlp.c_proj = nn.Linear(4 * width, width)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TinyGPT(nn.Module):
    def __init__(self, n_layer: int = N_LAYER, width: int = WIDTH, bug: str | None = None):
        super().__init__()
        self.n_layer, self.bug = n_layer, bug
        self.wte, self.wpe = nn.Embedding(VOCAB, width), nn.Embedding(CONTEXT, width)
        self.h = nn.ModuleList(Block(width) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(width)
        self.lm_head = nn.Linear(width, VOCAB, bias=False)
        self.lm_head.weight = self.wte.weight  # tied, as in GPT-2
        self.apply(self._init_weights)
        self._seed_bug()

    def _init_weights(self, module: nn.Module) -> None:
        """GPT-2's initialization (what the spec says), with the hook-level bugs."""
        if isinstance(module, nn.Linear) and self.bug != "skipped_module_type":
            nn.init.normal_(module.weight, std=STD)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=STD)
        elif isinstance(module, nn.LayerNorm):
            if self.bug == "layernorm_random":
                nn.init.normal_(module.weight, std=STD)
            else:
                nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        if isinstance(module, Block) and self.bug not in ("no_depth_scaling", "skipped_module_type"):
            for proj in (module.attn.c_proj, module.mlp.c_proj):
                nn.init.normal_(proj.weight, std=STD / math.sqrt(2 * self.n_layer))

    def _seed_bug(self) -> None:
        with torch.no_grad():
            if self.bug == "std_one":
                nn.init.normal_(self.h[1].mlp.c_fc.weight, std=1.0)
            elif self.bug == "identical_projections":
                state = torch.get_rng_state()
                nn.init.normal_(self.h[0].attn.q.weight, std=STD)
                torch.set_rng_state(state)
                nn.init.normal_(self.h[0].attn.k.weight, std=STD)
            elif self.bug == "zero_weight":
                nn.init.zeros_(self.h[1].attn.v.weight)
            elif self.bug == "std_15_percent":
                nn.init.normal_(self.h[0].mlp.c_fc.weight, std=STD * 1.15)
            elif self.bug == "uninitialized":
                self.h[0].mlp.c_fc.weight = nn.Parameter(
                    torch.empty(4 * self.h[0].mlp.c_fc.in_features, self.h[0].mlp.c_fc.in_features)
                )

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def correct(width: int = WIDTH) -> TinyGPT:
    return TinyGPT(width=width)


def tokens() -> torch.Tensor:
    """An input for the propagation measurement: 4 sequences of CONTEXT token ids."""
    return torch.randint(0, VOCAB, (4, CONTEXT), generator=torch.Generator().manual_seed(0))


for _bug in BUGS:
    globals()[f"bug_{_bug}"] = functools.partial(TinyGPT, bug=_bug)

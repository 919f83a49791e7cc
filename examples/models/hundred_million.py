"""A 100M-parameter model in plain torch, left at torch's documented defaults (no spec needed): the
audit's speed figure (README). 12 independent nn.TransformerEncoderLayer(768, 12, 3072) blocks and an
nn.Embedding(20000, 768): 100,414,464 parameters.

    python -m suite audit --model examples/models/hundred_million.py:build
"""

from __future__ import annotations

from torch import nn

WIDTH, HEADS, FEEDFORWARD, LAYERS, VOCAB = 768, 12, 3072, 12, 20000


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(WIDTH, HEADS, FEEDFORWARD, batch_first=True) for _ in range(LAYERS)
        )

    def forward(self, ids):
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x)
        return x


def build() -> Encoder:
    return Encoder()

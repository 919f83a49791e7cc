"""Small transformers models built from configurations (never downloaded weights), for the audit's
real-model tests: ``pip install 'initcheck[models]'`` (transformers), then e.g.

    python -m suite audit --model examples/models/hf_models.py:gpt2 --spec examples/specs/gpt2.toml \
        --input examples/models/hf_models.py:gpt2_tokens --expect examples/specs/transformers.ledger.toml

The configurations are small on purpose (a few seconds per audit on 2 cores); the specs' [vars] repeat
the configuration values they use (n_layer, initializer_range).
"""

from __future__ import annotations

import torch

GPT2 = {"n_layer": 4, "n_embd": 128, "n_head": 4, "n_positions": 64, "vocab_size": 1000, "bos_token_id": 999}
GPT2["eos_token_id"] = GPT2["bos_token_id"]
LLAMA = {
    "num_hidden_layers": 3,
    "hidden_size": 128,
    "intermediate_size": 352,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 1000,
    "max_position_embeddings": 64,
}
#: ResNet-18: basic blocks, depths (2, 2, 2, 2), widths (64, 128, 256, 512), 10 classes for a small head.
RESNET18 = {"layer_type": "basic", "depths": [2, 2, 2, 2], "hidden_sizes": [64, 128, 256, 512], "num_labels": 10}


def gpt2(**overrides):
    from transformers import GPT2Config, GPT2LMHeadModel

    return GPT2LMHeadModel(GPT2Config(**{**GPT2, **overrides})).eval()


def llama(**overrides):
    from transformers import LlamaConfig, LlamaForCausalLM

    return LlamaForCausalLM(LlamaConfig(**{**LLAMA, **overrides})).eval()


def resnet18(**overrides):
    from transformers import ResNetConfig, ResNetForImageClassification

    return ResNetForImageClassification(ResNetConfig(**{**RESNET18, **overrides})).eval()


def _tokens(vocab: int) -> dict:
    ids = torch.randint(0, vocab, (2, 32), generator=torch.Generator().manual_seed(0))
    return {"input_ids": ids}


def gpt2_tokens() -> dict:
    return _tokens(GPT2["vocab_size"])


def llama_tokens() -> dict:
    return _tokens(LLAMA["vocab_size"])


def images() -> torch.Tensor:
    return torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))

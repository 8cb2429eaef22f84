"""archive-qa: cited question answering over a news archive (shared settings and CLI)."""

import os

# Offline by default: Gradio, the HF hub and Chroma would otherwise try to reach the network.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}
for _name, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"

"""Fine-tuning the reply model: the dialogue set, LoRA training, GGUF export, the base-vs-tuned comparison."""

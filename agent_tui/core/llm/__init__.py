"""LLM access: the litellm stream adapter (`stream`), provider errors (`errors`) and the lazy litellm loader.

Nothing here imports litellm at import time; `litellm_loader.load_litellm()` does, on first use.
"""

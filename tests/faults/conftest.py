"""Fault-injection tests: real processes, real signals, real files, resource limits and network namespaces.

Each test reproduces one fault of issue 10 and checks the guarantee that `docs/RELIABILITY.md` states for it.
"""

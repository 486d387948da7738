"""Model adapters. Each kind registers itself in `vipbench.models.registry`."""

from vipbench.models.registry import ModelSpec, available_kinds, create_adapter, register, spec_class

__all__ = ["ModelSpec", "available_kinds", "create_adapter", "register", "spec_class"]

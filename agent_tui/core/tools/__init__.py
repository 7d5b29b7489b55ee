"""Tools the model can call. `base` defines the interface; each tool lives in its own module."""

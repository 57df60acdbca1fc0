"""The version of kaderpers, in a module of its own so that any module can read it without importing the wiring in ``__init__``."""

__version__ = "0.1.0"

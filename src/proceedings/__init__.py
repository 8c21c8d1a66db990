"""proceedings: turn a working group's discussion notes into published proceedings."""

__version__ = "0.1.0"

"""molehunt: protect, detect and trace insider theft of sensitive documents."""

__version__ = "0.1.0"

"""NTM Atlas: progress records, reference layers, maps and models for Vietnam's New Rural
Development programme (Nông thôn mới)."""

__version__ = "0.1.0"

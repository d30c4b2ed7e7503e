"""Labelled screenshot sets: the synthetic generator and the LABELS.md reader."""

from datasets.loaders import CloseControlLabel, Cues, LabelRecord, load_labels
from datasets.synth import generate_set, register, render_screen

__all__ = ["CloseControlLabel", "Cues", "LabelRecord", "generate_set", "load_labels", "register", "render_screen"]

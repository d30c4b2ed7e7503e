"""The × close-icon model: ``close_icon.onnx`` and its ``manifest.json`` (see ``models/train.py``).

The run-time wrapper is :mod:`detector.model` (onnxruntime only); training needs the ``train``
extra (torch).
"""

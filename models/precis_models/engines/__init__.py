"""Seq2seq engines behind one interface: transformers (torch), CTranslate2, extractive."""

from precis_models.engines.base import Engine, GenerateOptions

__all__ = ["Engine", "GenerateOptions"]

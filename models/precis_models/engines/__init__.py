"""Engines behind one interface: seq2seq on CTranslate2 or transformers (torch), extractive."""

from precis_models.engines.base import Engine, GenerateOptions

__all__ = ["Engine", "GenerateOptions"]

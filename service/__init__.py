"""Précis: multilingual news summarization over gRPC."""

__version__ = "0.1.0"

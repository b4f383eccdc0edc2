"""Generated gRPC stubs for precis.v1 (do not edit: python protos/generate.py)."""

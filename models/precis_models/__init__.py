"""How to run a model: catalog, engines, batching, fetching and building (no gRPC here)."""

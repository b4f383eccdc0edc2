"""The gRPC server: servicer, guard, health, metrics, status table and wire mapping."""

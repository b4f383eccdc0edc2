"""Container health probe: asks this host's server, on the port and TLS the settings configure."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from precis_news.client import PrecisClient, PrecisError
from precis_news.settings import Settings, load_settings

# The name the server certificate is checked against (the probe dials 127.0.0.1).
TLS_NAME = "localhost"


def probe_client(settings: Settings, *, timeout: float = 3.0) -> PrecisClient:
    """A client for the server these settings describe, dialled on 127.0.0.1.

    With TLS the server's own certificate is the trust root (self-signed or not, it is the one
    the server presents); with mutual TLS the server's key pair doubles as the client's.

    Args:
        settings: the server's settings (PRECIS_* environment, config file).
        timeout: deadline of the probe in seconds.

    Returns:
        An open client; close it.
    """
    tls = settings.tls_cert is not None
    mutual = tls and settings.tls_client_ca is not None
    return PrecisClient(
        target=f"127.0.0.1:{settings.port}",
        timeout=timeout,
        root_certificates=settings.tls_cert.read_bytes() if settings.tls_cert else None,
        certificate_chain=settings.tls_cert.read_bytes() if mutual and settings.tls_cert else None,
        private_key=settings.tls_key.read_bytes() if mutual and settings.tls_key else None,
        options=[("grpc.ssl_target_name_override", TLS_NAME)] if tls else (),
    )


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Exit 0 when the server is SERVING, 1 otherwise (loading, draining, unreachable)."""
    del argv
    try:
        with probe_client(load_settings(env=env)) as client:
            status = client.health()
    except (PrecisError, OSError, ValueError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    print(status)
    return 0 if status == "SERVING" else 1


if __name__ == "__main__":
    sys.exit(main())

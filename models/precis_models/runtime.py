"""Where and how models run: backend, device, compute type, threads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Runtime:
    """Where and how models run (the service fills it from its settings, where the defaults are).

    Fields: backend (a name in backends.BACKENDS), device ("cpu", "cuda" or "auto"),
    compute_type ("auto" or a type the backend takes), threads (cores for inference, 0 = all),
    threads_per_call (threads inside one model call), model_keep_alive_seconds (0: every model
    loaded from start; above 0: loaded by the calls that need it, unloaded once idle this long;
    CTranslate2 only), background_nice (the nice value of a model's threads while they run only
    background calls, 0 = off; resolve_runtime turns it off where it cannot work).
    """

    backend: str
    device: str
    compute_type: str
    threads: int
    threads_per_call: int
    model_keep_alive_seconds: float
    background_nice: int

    @property
    def slots(self) -> int:
        """Model calls that run at once, across all models: one per core, one on a GPU.

        Measured on 2 cores at the bench profile's real sizes (docs/benchmarks.md): two
        single-threaded calls of 8 texts at once take 1.25x less time than one call of 16 with
        two threads (summarizer; 1.11x the translator), so the server runs one call per core,
        one thread each (Settings.threads_per_call = 1).
        """
        return 1 if self.device == "cuda" else max(1, self.threads)

    @property
    def overcommit(self) -> int:
        """Extra model calls interactive work may start when every slot is taken: one, where
        background calls run niced (the kernel then gives the interactive call the core)."""
        return 1 if self.background_nice > 0 else 0

    @property
    def workers(self) -> int:
        """Replicas of each model (calls that may run on it at once; on CPU they share the
        weights): a call in every slot, and the extra one."""
        return self.slots + self.overcommit

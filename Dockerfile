# syntax=docker/dockerfile:1
# Précis server image: `docker build -t precis .`, then see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# torch first, from the CPU-only index (the default index would pull in the CUDA wheels, ~GBs);
# its own layer, so code changes do not re-download it.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY packaging ./packaging
COPY service ./service
COPY models ./models
RUN pip install ".[torch]"

# Non-root; /models is created here so a fresh named volume inherits this ownership.
RUN useradd --system --uid 10001 --user-group --home-dir /home/precis --create-home precis \
    && mkdir -p /models \
    && chown precis:precis /models
USER precis

ENV PRECIS_HOST=0.0.0.0 \
    PRECIS_PORT=50051 \
    PRECIS_METRICS_PORT=9090 \
    PRECIS_MODEL_DIR=/models \
    HF_HOME=/models/.hf
VOLUME ["/models"]
EXPOSE 50051 9090

# Unhealthy until the models are loaded and warm (NOT_SERVING) and again while draining.
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
    CMD ["precis", "health", "--server", "127.0.0.1:50051", "--timeout", "3"]

ENTRYPOINT ["precis"]
CMD ["serve"]

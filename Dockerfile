# Précis images, one Dockerfile, two targets (see docs/deployment.md):
#   docker build -t precis:0.2.0 .                          serving: CTranslate2, no torch (default)
#   docker build --target models -t precis-models:0.2.0 .   `precis models fetch` / `build-tiny` (torch)
# Dependencies come from requirements/*.txt (exact pins, regenerated from a working venv with
# scripts/lock-requirements.py) and are installed before the code, so a code change rebuilds only
# the last small layer. Builds here: add `--network host --build-arg PIP_FIND_LINKS=<wheel server>`.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# tini as PID 1: forwards SIGTERM to `precis` and reaps children. `docker run --init` would do it
# for plain docker only; Kubernetes has no such switch, so the image carries its own init.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 precis \
    && useradd --uid 10001 --gid 10001 --home-dir /home/precis --create-home precis \
    && mkdir -p /models \
    && chown 10001:10001 /models
WORKDIR /home/precis

# The wheel of this checkout (precis-news: precis_news + precis_models), built aside so no source tree,
# build/ or *.egg-info ends up in an image.
FROM base AS wheels
COPY requirements/build.txt /tmp/requirements/
RUN pip install -r /tmp/requirements/build.txt
COPY pyproject.toml README.md /src/
COPY service /src/service
COPY models /src/models
RUN pip wheel --no-deps --no-build-isolation -w /wheels /src

FROM base AS serve-deps
COPY requirements/serve.txt /tmp/requirements/
RUN pip install -r /tmp/requirements/serve.txt

FROM serve-deps AS models-deps
# Extra wheel location (e.g. a CPU torch wheel); pip reads PIP_FIND_LINKS from the environment.
# Declared only in the stage that installs torch: an ARG is part of the cache key of every RUN
# after it, so one in `base` made a new wheel-server URL rebuild every layer of both images.
ARG PIP_FIND_LINKS=
COPY scripts/install-torch-cpu.sh /tmp/
COPY requirements/torch.txt /tmp/requirements/
RUN bash /tmp/install-torch-cpu.sh python3 \
    && pip install -r /tmp/requirements/torch.txt

# Models: `docker run --rm -v precis-models:/models precis-models:0.2.0 models fetch` (or build-tiny).
FROM models-deps AS models
COPY --from=wheels /wheels /tmp/wheels
RUN pip install --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels
USER 10001:10001
ENV PRECIS_MODEL_DIR=/models \
    HF_HOME=/models/.hf
ENTRYPOINT ["/usr/bin/tini", "--", "precis"]
CMD ["models", "fetch"]

# Serving (the default target): no torch, no transformers.
FROM serve-deps AS serve
COPY --from=wheels /wheels /tmp/wheels
RUN pip install --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels
USER 10001:10001
ENV PRECIS_HOST=0.0.0.0 \
    PRECIS_PORT=50051 \
    PRECIS_METRICS_PORT=9090 \
    PRECIS_METRICS_HOST=0.0.0.0 \
    PRECIS_HTTP_PORT=8080 \
    PRECIS_MODEL_DIR=/models \
    HF_HOME=/models/.hf \
    HF_HUB_OFFLINE=1
VOLUME ["/models"]
# gRPC, Prometheus /metrics, HTTP/JSON and the web page
EXPOSE 50051 9090 8080
# Unhealthy until the models are loaded and warm (NOT_SERVING) and again while draining; the
# probe reads PRECIS_PORT and the TLS settings like the server does.
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python3", "-m", "precis_news.server.healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "precis"]
CMD ["serve"]

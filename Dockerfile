# prescreen: multi-stage image, runs as a non-root user, needs no network at run time
# (every model ships inside the image: rapidocr's ONNX models in its wheel, ours in models/weights).
#   docker build -t prescreen .
#   docker run -p 8000:8000 -v prescreen-data:/data prescreen
# Point PIP_INDEX_URL / PIP_EXTRA_INDEX_URL at a CPU-only torch index if your registry offers one;
# from plain PyPI, torch==2.13.0 is the larger CUDA-enabled build, which also runs on CPU.
ARG PYTHON=python:3.11-slim-bookworm

FROM ${PYTHON} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
RUN pip install torch==2.13.0
COPY pyproject.toml README.md ./
COPY models ./models
COPY screening ./screening
COPY ocr ./ocr
COPY api ./api
COPY training ./training
COPY eval ./eval
RUN pip install . && python -m compileall -q /opt/venv

FROM ${PYTHON}
# libgomp for faiss/torch; libglib for opencv; fonts for rendering evidence on documents
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 libglib2.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home prescreen
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PRESCREEN_DATA_DIR=/data \
    PRESCREEN_HOST=0.0.0.0 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    PYTHONUNBUFFERED=1
USER prescreen
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import sys,urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["prescreen", "serve"]

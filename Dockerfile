FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HTTP_HOST=0.0.0.0 HTTP_PORT=8080 CONCIERGE_DATA_DIR=/data
WORKDIR /app

COPY pyproject.toml requirements.lock ./
COPY bot bot/
COPY channels channels/
COPY domain domain/
COPY engine engine/
COPY interpreters interpreters/
COPY payments payments/
COPY storage storage/
COPY webhooks webhooks/
COPY sandbox sandbox/
COPY locales locales/
RUN pip install --no-cache-dir -c requirements.lock . \
    && useradd --system --home-dir /app concierge && mkdir -p /data && chown concierge /data

USER concierge
EXPOSE 8080
# exec form: the service is PID 1, so SIGTERM reaches it directly and it drains within 10 s
CMD ["concierge", "run"]

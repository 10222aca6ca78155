"""The Docker files of an xlfactor server project (written by ``xlfactor server init``).

``server init`` runs ``xlwings-server add docker`` (xlwings Server's Dockerfile,
docker-compose.yaml and .dockerignore), then adapts them for a team server:

- ``Dockerfile``: xlwings Server's, with the same non-root user, settings and production
  command (``uvicorn --workers $WORKERS xlwings_server.main:main_app``), but installing the
  pinned ``requirements.txt`` (xlfactor, xlwings Server, xlwings; wheels placed in
  ``wheels/`` are used first) instead of a uv lock file; the factor data and the token file
  live in ``/data``, a volume;
- ``docker-compose.yaml``: the app (``XLFACTOR_WORKERS`` workers, default 2), a scheduled
  refresh (``xlfactor refresh`` every ``XLFACTOR_REFRESH_EVERY`` seconds, default a day)
  and Caddy as the HTTPS reverse proxy for ``XLFACTOR_HOSTNAME`` (certificates obtained and
  renewed by Caddy, request bodies over 64 MB answered 413), sharing the data volume; only
  the proxy publishes ports;
- ``Caddyfile``: the proxy's configuration.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from xlfactor import __version__
from xlfactor.errors import XLFactorError

MAX_BODY = "64MB"

DOCKERFILE = """\
# xlfactor on xlwings Server (written by `xlfactor server init`): the Dockerfile of
# `xlwings-server add docker` with the same non-root user, settings and uvicorn command, installing
# requirements.txt (wheels put in wheels/ are used first) instead of a uv lock file.
FROM python:3.12-slim

# Setup a non-root user
RUN groupadd --system --gid 999 nonroot \\
    && useradd --system --gid 999 --uid 999 --create-home nonroot

WORKDIR /app

# Dependencies first for better layer caching
COPY requirements.txt ./
COPY wheels/ ./wheels/
RUN pip install --no-cache-dir --find-links ./wheels -r requirements.txt

COPY . /app

# Build static files with hashed filenames for cache-busting
RUN xlwings-server build static

# Show logs immediately
ENV PYTHONUNBUFFERED=1

# Required if WORKDIR isn't /app
ENV XLWINGS_PROJECT_DIR=/app

# The factor data and the sign-in tokens: a volume shared by the workers and the scheduled refresh
ENV XLFACTOR_DATA_DIR=/data
ENV XLFACTOR_TOKENS_FILE=/data/tokens.json
RUN mkdir -p /data && chown nonroot:nonroot /data
VOLUME /data

# Default port and workers
ENV PORT=8000
ENV WORKERS=2
EXPOSE 8000

# Use the non-root user to run our application
USER nonroot

# Behind the reverse proxy (the only published port): trust its X-Forwarded-* headers
CMD ["sh", "-c", "\\
    exec uvicorn \\
    --host 0.0.0.0 \\
    --port $PORT \\
    --workers $WORKERS \\
    --access-log \\
    --proxy-headers \\
    --forwarded-allow-ips '*' \\
    xlwings_server.main:main_app \\
    "]
"""

COMPOSE = """\
# xlfactor team server (written by `xlfactor server init`): the app, a scheduled factor refresh and
# Caddy as the HTTPS reverse proxy, sharing one data volume. Set XLFACTOR_HOSTNAME (the server's DNS
# name) in the environment or in a .env beside this file, then: docker compose up -d --build
# Tokens: docker compose exec xlfactor xlfactor server token create NAME [--admin]
services:
  xlfactor:
    build: .
    env_file: [.env]
    environment:
      XLWINGS_ENVIRONMENT: prod
      WORKERS: ${XLFACTOR_WORKERS:-2}
      XLFACTOR_MAX_CELLS: ${XLFACTOR_MAX_CELLS:-1000000}
      XLFACTOR_MAX_BODY_MB: ${XLFACTOR_MAX_BODY_MB:-24}
      XLFACTOR_TIME_LIMIT: ${XLFACTOR_TIME_LIMIT:-60}
      XLFACTOR_REFRESH_INTERVAL: ${XLFACTOR_REFRESH_INTERVAL:-900}
    volumes:
      - xlfactor-data:/data
    expose: ["8000"]
    mem_limit: ${XLFACTOR_MEMORY:-4g}
    restart: unless-stopped
  refresh:
    build: .
    env_file: [.env]
    volumes:
      - xlfactor-data:/data
    command: ["sh", "-c", "while true; do xlfactor refresh; sleep ${XLFACTOR_REFRESH_EVERY:-86400}; done"]
    restart: unless-stopped
  proxy:
    image: caddy:2
    environment:
      XLFACTOR_HOSTNAME: ${XLFACTOR_HOSTNAME:?set XLFACTOR_HOSTNAME to the DNS name of this server}
    ports: ["80:80", "443:443"]
    volumes:
      - ./Caddyfile:/etc/caddy/Caddyfile:ro
      - caddy-data:/data
      - caddy-config:/config
    depends_on: [xlfactor]
    restart: unless-stopped
volumes:
  xlfactor-data:
  caddy-data:
  caddy-config:
"""

CADDYFILE = f"""\
# HTTPS in front of xlfactor (written by `xlfactor server init`). Caddy obtains and renews a
# certificate for XLFACTOR_HOSTNAME; for a company CA use `tls /path/cert.pem /path/key.pem` inside the
# block, for a test machine `tls internal`. Request bodies over {MAX_BODY} are answered 413.
# The app is the compose service `xlfactor` unless XLFACTOR_UPSTREAM names another host:port.
{{$XLFACTOR_HOSTNAME}} {{
\trequest_body {{
\t\tmax_size {MAX_BODY}
\t}}
\treverse_proxy {{$XLFACTOR_UPSTREAM:xlfactor:8000}}
}}
"""


def requirements() -> str:
    """``requirements.txt``: this xlfactor and the xlwings Server and xlwings it runs with, pinned."""
    pins = [f"xlfactor=={__version__}", *(f"{name}=={version(name)}" for name in ("xlwings-server", "xlwings"))]
    return "# The server image's packages (written by `xlfactor server init`); upgrade by changing the pins\n" + (
        "\n".join(pins) + "\n"
    )


def wire_docker(folder: Path) -> None:
    """Adapt the files ``xlwings-server add docker`` wrote in ``folder`` (see the module docstring)."""
    dockerfile = folder / "Dockerfile"
    if not dockerfile.is_file() or "xlwings_server.main:main_app" not in dockerfile.read_text(encoding="utf-8"):
        raise XLFactorError(
            "Dockerfile: `xlwings-server add docker` wrote no Dockerfile running xlwings_server.main:main_app; "
            "this xlwings-server version is not supported by `xlfactor server init`"
        )
    dockerfile.write_text(DOCKERFILE, encoding="utf-8")
    (folder / "docker-compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (folder / "Caddyfile").write_text(CADDYFILE, encoding="utf-8")
    (folder / "requirements.txt").write_text(requirements(), encoding="utf-8")
    (folder / "wheels").mkdir(exist_ok=True)
    (folder / "wheels" / "README.txt").write_text(
        "Wheels put here are installed first (e.g. `pip wheel /path/to/xlfactor -w wheels`).\n", encoding="utf-8"
    )
    for name in (".dockerignore", ".gitignore"):  # never bake the token file into an image or a repository
        ignore = folder / name
        extra = "\n# xlfactor: the token hashes and the server log stay on the server\ntokens.json\nserver.log\n"
        ignore.write_text((ignore.read_text(encoding="utf-8") if ignore.exists() else "") + extra, encoding="utf-8")

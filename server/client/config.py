"""Where the client keeps its server URL and token (0600), and what it remembers between runs.

`COMEBACK_URL` and `COMEBACK_TOKEN` override the file; `COMEBACK_CONFIG` names the file itself
(default `$XDG_CONFIG_HOME/comeback/config.json`, i.e. `~/.config/comeback/config.json`).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

from server.client.api import ClientError, ExitCode

DEFAULT_URL = "http://127.0.0.1:8000"


def config_path() -> Path:
    override = os.environ.get("COMEBACK_CONFIG")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "comeback" / "config.json"


def state_path() -> Path:
    return config_path().with_name("state.json")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ClientError(f"cannot read {path}: {error}", ExitCode.USAGE) from None
    return data if isinstance(data, dict) else {}


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write atomically, readable by the owner only (the file may hold a token)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=2)
        out.write("\n")
    os.chmod(temporary, 0o600)  # in case the file existed with other bits
    os.replace(temporary, path)


def load_config() -> dict[str, Any]:
    path = config_path()
    data = _read(path)
    shared = os.name == "posix" and path.exists() and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    if data.get("token") and shared:
        print(f"warning: {path} is readable by others; run: chmod 600 {path}", file=sys.stderr)
    return data


def save_config(url: str, token: str) -> Path:
    path = config_path()
    _write_private(path, {**_read(path), "url": url, "token": token})
    return path


def server_url(url: str) -> str:
    """The server's base URL; the GraphQL endpoint's own address (…/graphql) names the same server."""
    url = url.strip().rstrip("/")
    return url.removesuffix("/graphql").rstrip("/")


def resolve(url: str | None = None, need_token: bool = True) -> tuple[str, str | None]:
    """The server and token to use: the --url option, then COMEBACK_URL/COMEBACK_TOKEN, then the file.

    The saved token is only sent to the server it was saved for.
    """
    env_url, env_token = os.environ.get("COMEBACK_URL"), os.environ.get("COMEBACK_TOKEN")
    config = {} if env_token and (url or env_url) else load_config()
    saved_url = server_url(config.get("url") or DEFAULT_URL)
    server = server_url(url or env_url or saved_url)
    token = env_token or (config.get("token") if server == saved_url else None)
    if need_token and not token:
        if config.get("token"):
            raise ClientError(f"not logged in to {server}: you are logged in to {saved_url}; run "
                              f"`comeback login --url {server}` or set COMEBACK_TOKEN", ExitCode.AUTH, "NOT_LOGGED_IN")
        raise ClientError("not logged in: run `comeback login` or set COMEBACK_TOKEN", ExitCode.AUTH,
                          "NOT_LOGGED_IN")
    return server, token


def load_state() -> dict[str, Any]:
    return _read(state_path())


def save_state(**values: Any) -> None:
    path = state_path()
    _write_private(path, {**_read(path), **values})

"""Small helpers shared by tests."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def walk(client, table: str, limit: int) -> list[dict]:
    """Every row of a table, page by page, following continuations."""
    rows: list[dict] = []
    url = f"/v1/tables/{table}/rows?limit={limit}"
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.json
        body = response.json
        rows.extend(body["rows"])
        if body["continuation"] is None:
            return rows
        assert len(body["rows"]) == limit
        url = f"/v1/tables/{table}/rows?limit={limit}&continuation={body['continuation']}"

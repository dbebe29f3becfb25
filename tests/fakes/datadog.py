"""A fake Datadog API on loopback: `GET /api/v1/query` as documented, for the metrics server's tests.

It speaks the public v1 timeseries shapes (query string `from`, `to` in epoch seconds and
`query`; headers `DD-API-KEY` and `DD-APPLICATION-KEY`; `{"status": "ok", "res_type":
"time_series", "series": [{"pointlist": [[ms, value], ...], ...}]}`, errors as
`{"errors": [...]}` with 400/403/404/429) and checks the keys. It does not evaluate queries:
the test gives it the answer for each exact query string, so the queries the server sends are
pinned too. A query it has no answer for gets an empty `series`, as Datadog answers a metric
with no data; one with unbalanced brackets is a 400 parse error.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Point = tuple[float, float | None]  # (epoch ms, value)


@dataclass
class FakeDatadog:
    api_key: str
    app_key: str
    answers: dict[str, list[list[Point]]] = field(default_factory=dict)  # query -> series -> points
    rate_limited: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeDatadog:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                status, body, headers = fake.answer(self.path, self.headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, path: str, headers: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        parts = urlsplit(path)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        authorized = headers.get("DD-API-KEY") == self.api_key and headers.get("DD-APPLICATION-KEY") == self.app_key
        self.requests.append({"path": parts.path, "params": params, "authorized": authorized})
        if parts.path != "/api/v1/query":
            return 404, {"errors": ["Not found"]}, {}
        if not authorized:
            return 403, {"errors": ["Forbidden"]}, {}
        if self.rate_limited:
            return 429, {"errors": ["Too many requests"]}, {"X-RateLimit-Limit": "100", "X-RateLimit-Reset": "17"}
        for name in ("from", "to", "query"):
            if not params.get(name):
                return 400, {"errors": [f"Missing required argument '{name}'"]}, {}
        try:
            start, end = int(params["from"]), int(params["to"])
        except ValueError:
            return 400, {"errors": ["'from' and 'to' must be integers (seconds since the epoch)"]}, {}
        if start > end:
            return 400, {"errors": ["'from' must be before 'to'"]}, {}
        query = params["query"]
        if any(query.count(a) != query.count(b) for a, b in ("{}", "()")):
            return 400, {"errors": [f"Error parsing query: unbalanced brackets in {query!r}"]}, {}
        series = []
        for i, points in enumerate(self.answers.get(query, [])):
            inside = [[t, v] for t, v in points if start * 1000 <= t <= end * 1000]
            if not inside:
                continue
            series.append({
                "metric": query.split(":", 1)[-1].split("{", 1)[0],
                "display_name": query,
                "expression": query,
                "scope": query.split("{", 1)[-1].split("}", 1)[0] if "{" in query else "*",
                "pointlist": inside,
                "start": inside[0][0],
                "end": inside[-1][0],
                "interval": 60,
                "length": len(inside),
                "aggr": None,
                "tag_set": [f"part:{i}"] if i else [],
                "query_index": 0,
                "unit": None,
            })
        return 200, {
            "status": "ok", "res_type": "time_series", "query": query, "message": "",
            "from_date": start * 1000, "to_date": end * 1000, "group_by": [], "series": series,
        }, {}

"""A small to-do service (stdlib http.server) with two typos a reviewer missed: listing by status reads the key
'complete' (the data says 'completed') and creating a to-do reads 'titel'. Both raise KeyError; like a framework,
the handler logs the traceback and answers 500 while the service keeps running."""
import json
import os
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TODOS: list[dict] = [
    {"id": 1, "title": "buy milk", "completed": True},
    {"id": 2, "title": "write the tests", "completed": False},
]


def visible(todos: list[dict], status: str) -> list[dict]:
    if status == "all":
        return todos
    return [t for t in todos if t["complete"] == (status == "done")]


def create(body: dict) -> dict:
    todo = {"id": len(TODOS) + 1, "title": body["titel"].strip(), "completed": False}
    TODOS.append(todo)
    return todo


class Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        try:
            if url.path == "/todos":
                status = parse_qs(url.query).get("status", ["all"])[0]
                items = visible(TODOS, status)
                self._send(200, {"todos": items, "total": len(items)})
            elif url.path == "/health":
                self._send(200, {"status": "ok"})
            else:
                self._send(404, {"error": "not found"})
        except Exception:
            traceback.print_exc()
            self._send(500, {"error": "internal server error"})

    def do_POST(self) -> None:
        try:
            if self.path == "/todos":
                length = int(self.headers.get("Content-Length") or 0)
                self._send(201, create(json.loads(self.rfile.read(length) or b"{}")))
            else:
                self._send(404, {"error": "not found"})
        except Exception:
            traceback.print_exc()
            self._send(500, {"error": "internal server error"})

    def log_message(self, fmt: str, *args) -> None:
        print(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}", flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(f"todo-api listening on 0.0.0.0:{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()

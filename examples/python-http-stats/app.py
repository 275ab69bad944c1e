"""A small order-stats service (stdlib http.server). GET /stats averages an empty list and fails with
ZeroDivisionError; POST /orders fails too. Like a real framework, the handler logs the traceback and answers 500
while the service keeps running."""
import json
import os
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDERS: list[dict] = []  # no orders yet after a fresh start


def average_order_value(orders: list[dict]) -> float:
    return sum(o["amount"] for o in orders) / len(orders)


def add_order(body: dict) -> dict:
    order = {"id": len(ORDERS) + 1, "amount": float(body["amount"]), "items": body["items"]}
    order["per_item"] = order["amount"] / len(order["items"])
    ORDERS.append(order)
    return order


class Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fail(self) -> None:
        traceback.print_exc()
        self._send(500, {"error": "internal server error"})

    def do_GET(self) -> None:
        try:
            if self.path == "/":
                self._send(200, {"service": "order-stats", "orders": len(ORDERS)})
            elif self.path == "/health":
                self._send(200, {"status": "ok"})
            elif self.path == "/stats":
                self._send(200, {"average": average_order_value(ORDERS)})
            else:
                self._send(404, {"error": "not found"})
        except Exception:
            self._fail()

    def do_POST(self) -> None:
        try:
            if self.path == "/orders":
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                self._send(201, add_order(body))
            else:
                self._send(404, {"error": "not found"})
        except Exception:
            self._fail()

    def log_message(self, fmt: str, *args) -> None:
        print(f"{self.address_string()} {fmt % args}", flush=True)


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(f"order-stats listening on 0.0.0.0:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

"""A stdlib http.server service that listens on 8765, whatever PORT says (as many hello-world servers do).
GET / answers a greeting; GET /ratio?a=1&b=0 divides by zero (ZeroDivisionError, answered 500, keeps running)."""
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse
import traceback

PORT = 8765


def ratio(a: int, b: int) -> float:
    return a / b


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlparse(self.path)
        try:
            if url.path == "/ratio":
                q = parse_qs(url.query)
                body = f"{ratio(int(q['a'][0]), int(q['b'][0]))}\n"
            else:
                body = "hello from port 8765\n"
            status = 200
        except Exception:
            traceback.print_exc()
            body, status = "internal error\n", 500
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())


if __name__ == "__main__":
    print(f"Serving on 0.0.0.0 port {PORT}", flush=True)
    HTTPServer(("0.0.0.0", PORT), Handler).serve_forever()

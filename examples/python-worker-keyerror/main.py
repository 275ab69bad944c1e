"""A job worker: processes the queued jobs at start-up. One job was queued without its 'payload' key."""
import json
import sys

JOBS = [
    {"id": 1, "kind": "resize", "payload": {"width": 640, "height": 480}},
    {"id": 2, "kind": "resize", "payload": {"width": 1280, "height": 720}},
    {"id": 3, "kind": "thumbnail"},  # enqueued by an old client that forgot the payload
    {"id": 4, "kind": "resize", "payload": {"width": 320, "height": 240}},
]


def process(job: dict) -> str:
    size = job["payload"]
    return f"job {job['id']}: {job['kind']} to {size['width']}x{size['height']}"


def main() -> None:
    print(f"worker: {len(JOBS)} jobs queued", flush=True)
    for job in JOBS:
        print(process(job), flush=True)
    print(json.dumps({"done": len(JOBS)}))


if __name__ == "__main__":
    main()
    sys.exit(0)

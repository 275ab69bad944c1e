"""Splits a bill between the people at the table: the table list is empty, so the share divides by zero."""
import sys


def share(total: float, people: list[str]) -> float:
    return total / len(people)


def main() -> int:
    people: list[str] = []  # nobody has joined yet
    print(f"bill: 120.00, people: {len(people)}", flush=True)
    print(f"each pays {share(120.0, people):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fetches an exchange rate at start-up with `requests`, which is not installed in the image."""
import requests

RATES_URL = "https://example.invalid/rates"


def main() -> None:
    print("fetching rates…", flush=True)
    rate = requests.get(RATES_URL, timeout=5).json()["EUR"]
    print(f"EUR rate: {rate}")


if __name__ == "__main__":
    main()

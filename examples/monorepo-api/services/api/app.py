"""The API of a small monorepo (services/api): a worker-style start that totals an empty cart at start-up."""


def average(prices: list[float]) -> float:
    return sum(prices) / len(prices)


if __name__ == "__main__":
    cart: list[float] = []
    print("api starting")
    print(f"average price: {average(cart):.2f}")

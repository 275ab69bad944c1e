"""A tiny text adventure: it asks where to go and answers. Run without a terminal, input() reads a closed
stdin and raises EOFError — AutoDev reports "needs input" instead of sending it to the fixer."""

ROOMS = {"north": "a cold cave with a sleeping dragon", "south": "a meadow full of bees"}


def play() -> None:
    print("You stand at a crossroads.")
    choice = input("Where do you go (north/south)? ").strip().lower()
    print(f"You walk {choice} and find {ROOMS.get(choice, 'nothing but fog')}.")


if __name__ == "__main__":
    play()

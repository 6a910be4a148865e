"""Placeholder until the command line lands."""


def main(argv=None) -> int:
    print("nnplay: the command line is being built")
    return 0

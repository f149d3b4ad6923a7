"""Reading numbers from requests."""


def is_plain_number(value: str) -> bool:
    """True for ASCII digits only. `str.isdigit` also accepts "²" or "①", which `int()` then
    refuses: a request carrying one would end in a server error instead of a 400 or 404."""
    return value.isascii() and value.isdigit()

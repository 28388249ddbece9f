"""The one exception a format reader raises: the file cannot be used, and why."""


class Unreadable(Exception):
    """Raised by a format reader with a reason a person can act on."""

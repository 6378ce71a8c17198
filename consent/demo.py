"""Demo controllers and purposes modelled on the five seed privacy statements."""


def load():
    raise NotImplementedError


def links():
    return []

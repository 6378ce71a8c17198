"""Reading JSON bodies safely: a document nested deeper than any real request is refused as
malformed (a 400 from the door that reads it), never a RecursionError and a 500."""

from flask.json.provider import DefaultJSONProvider

# Our deepest real document (the catalogue) is five levels; leave room, refuse the absurd.
MAX_DEPTH = 32


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            document = super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
        if _depth(document) > MAX_DEPTH:
            raise ValueError("JSON nested too deeply")
        return document


def _depth(document) -> int:
    """Nesting depth of lists and objects, walked without recursion."""
    deepest, todo = 0, [(document, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            todo.extend((item, depth + 1) for item in value)
    return deepest

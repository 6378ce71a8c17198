"""Moving the clock that signed links read, so a test can open a link months later."""

import time


def later(monkeypatch, days):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + days * 86400)

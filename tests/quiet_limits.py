"""Rate limits raised out of the way, for tests that are not about them.

Tests sign in and check text far more often than people do. Every app a test
builds (in-process, or served for browsers and sockets) starts from these;
tests/pages/test_rate_limits.py sets its own low limits instead.
"""

from __future__ import annotations

from dataclasses import fields

from portal.config import RateLimits

HIGH_RATE_LIMITS = {
    "RATE_LIMIT_" + f.name.upper(): "100000 per minute" for f in fields(RateLimits)
}

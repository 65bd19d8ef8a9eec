"""The XSS payload file of the hostile-content tests (tests/system/test_hostile.py) is big and varied."""

from tests.support.hostile import PAYLOADS


def test_payload_file_is_big_and_varied():
    text = "\n".join(PAYLOADS).lower()
    assert len(PAYLOADS) >= 100 and len(set(PAYLOADS)) == len(PAYLOADS)
    for needle in ("<script", "onerror", "onload", "onfocus", "autofocus", "onmouseover", "javascript:", "data:",
                   "vbscript:", "<svg", "<animate", "&lt;script&gt;", "&#x3c;", "\\u003c", "+adw-", "\x00", "%c0%bc",
                   '" onmouseover="', "'><img", "{{7*7}}", "{%", "<style", "expression(", "<iframe", "<object",
                   "<embed", "<base", "http-equiv=\"refresh\"", "<form action", "](javascript:", "scrpoliceipt",
                   "onetiktokrror", "javapolicescript"):
        assert needle in text, needle

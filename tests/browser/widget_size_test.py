"""The widget stays small: widget.js and widget.css together at most 15 KB gzipped (what a
browser downloads), and neither refers to another host. Prints the sizes."""

import gzip
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(os.path.dirname(os.path.dirname(HERE)), "web")
LIMIT = 15 * 1024


def gzipped(name):
    with open(os.path.join(WEB, name), "rb") as f:
        return len(gzip.compress(f.read(), 9))


class WidgetSize(unittest.TestCase):
    def test_at_most_15_kb_gzipped_together(self):
        js, css = gzipped("widget.js"), gzipped("widget.css")
        print(f"widget.js {js} B + widget.css {css} B = {js + css} B gzipped (limit {LIMIT} B)")
        self.assertLessEqual(js + css, LIMIT)

    def test_no_other_host(self):
        for name in ("widget.js", "widget.css"):
            with open(os.path.join(WEB, name)) as f:
                text = f.read()
            self.assertEqual(re.findall(r"url\(\s*['\"]?(?:https?:)?//", text), [], name)
            self.assertEqual(re.findall(r"(?:src|href)\s*[:=]\s*['\"](?:https?:)?//", text), [], name)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]])

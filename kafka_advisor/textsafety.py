"""The characters no output shows raw: one table, for the exporters, the diagrams, the app and error lines."""

from __future__ import annotations

import re

# Unicode categories Cc, Cs, Zl and Zp (control characters, surrogates, line and paragraph separators) as one
# character class: a regex pass instead of a unicodedata lookup per character, which was the hot spot of the text exports.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

# Unicode format controls (category Cf, Unicode 15.1): bidi overrides, embeddings, isolates and marks, zero-width
# spaces and joiners, word joiner, invisible operators, BOM, interlinear annotations, tag characters. They are
# invisible, yet they reorder text ("Trojan Source") or hide it, so no output shows them raw. tests/test_neutralise.py
# checks this class against the running Python's Unicode database.
FORMAT_CONTROLS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

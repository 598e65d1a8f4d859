import html

from hypothesis import given, settings
from hypothesis import strategies as st

from dezero_magic.render.escape import esc

# esc() skips the rewriting when nothing needs it: it must equal the full escaping always.
_ALPHABET = st.sampled_from(list("ab0 .-×…") + list("&<>\"'") + ["\x00", "\x07", "\x0b", "\x1f", "\ufffe",
                                                                 "\uffff", "\n", "\t", "é"])


def _reference(text):
    cleaned = "".join("\ufffd" if (ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff" else c
                      for c in str(text))
    return html.escape(cleaned, quote=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=12).map("".join))
def test_esc_equals_full_escaping(text):
    assert esc(text) == _reference(text)


def test_esc_of_plain_text_and_numbers():
    assert esc("sin") == "sin"
    assert esc(2.5) == "2.5"
    assert esc('a<b & "c"') == "a&lt;b &amp; &quot;c&quot;"
    assert esc("it's") == "it&#x27;s"

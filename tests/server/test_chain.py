"""The hash chain's canonical JSON (server/chain.py): the form every stored event
and every request fingerprint is hashed in, so it must never drift, whatever
the encoder is built like."""

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from server.chain import GENESIS, canonical, link

scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
bodies = st.dictionaries(
    st.text(),
    st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)),
)


@given(bodies)
def test_canonical_is_sorted_compact_unicode_json(body: dict[str, Any]) -> None:
    assert canonical(body) == json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert json.loads(canonical(body)) == body


def test_canonical_is_independent_of_key_order_and_keeps_text_as_typed() -> None:
    one = canonical({"b": 1, "a": {"d": "é", "c": [1, 2]}})
    assert one == canonical({"a": {"c": [1, 2], "d": "é"}, "b": 1})
    assert one == '{"a":{"c":[1,2],"d":"é"},"b":1}'
    # A link worked out once: sha256 of GENESIS, a newline and the body, as UTF-8.
    # Logs already written are checked against this form by `plenary verify`.
    expected = "dd59ed198b1b4de9df8f8d4493458643d85ed1a266398e7d6271180e0309b80c"
    assert link(GENESIS, one) == expected
    assert hashlib.sha256(f"{GENESIS}\n{one}".encode()).hexdigest() == expected

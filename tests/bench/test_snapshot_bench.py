"""The snapshot micro-benchmark measures a real hall's state and checks its round trip."""

from bench import snapshot_bench


def test_a_rated_hall_survives_the_round_trip_it_times() -> None:
    result = snapshot_bench.run(300)
    assert result["round_trip_equal"] is True
    assert result["participants"] == 300
    # Every participant and every rating is in the blob: 300 of each, at least.
    assert result["bytes"] > 300 * 2 * 50
    assert min(result["encode_ms"], result["json_dumps_ms"], result["decode_ms"]) > 0

"""The probe of what one connection holds (bench/connection_memory.py), at a tiny size."""

from pathlib import Path

from bench.connection_memory import grown_types, measure, report


def test_the_probe_counts_each_phones_objects_on_a_real_server(tmp_path: Path) -> None:
    n = 20
    dumps = measure("plenary", n, tmp_path, settle=0.5)
    grown = grown_types(dumps[1], dumps[2])
    # Every phone's connection runs engine.io's reader and writer tasks at least,
    # and Plenary keeps one Connection object for it.
    assert grown["_asyncio.Task"] >= 2 * n
    assert grown["server.sockets.Connection"] == n
    assert dumps[2]["rss_kb"] > dumps[0]["rss_kb"]
    text = report("plenary", n, tmp_path, dumps, trace=0)
    assert f"{n} phones, then {n} more" in text
    assert "tracked objects per phone" in text

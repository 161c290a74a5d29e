"""Benchmark harness: real socket.io clients against Plenary and two baselines."""

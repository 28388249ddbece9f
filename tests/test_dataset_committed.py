"""The committed data/ttl is exactly what `make run` produces from data/docs."""

from kg.settings import REPO_ROOT


def test_committed_dataset_matches_a_rebuild(bundled_build):
    out, _ = bundled_build
    for name in ("hankegraph.ttl", "hankegraph.trig"):
        committed = (REPO_ROOT / "data" / "ttl" / name).read_bytes()
        rebuilt = (out / name).read_bytes()
        assert committed == rebuilt, f"data/ttl/{name} is stale: run `make run` and commit it"

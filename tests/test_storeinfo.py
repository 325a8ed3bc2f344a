"""lendrisk.storeinfo: the store's provenance in the interface language."""

from __future__ import annotations

from lendrisk import storeinfo


def test_demo_source_is_translated() -> None:
    assert storeinfo.source_label("demo platform (seed 7, 40000 loans)", "en") == (
        "demo platform (seed 7, 40,000 loans)"
    )
    assert storeinfo.source_label("demo platform (seed 7, 40000 loans)", "zh") == (
        "演示平台（随机种子 7，40,000 笔借款）"
    )
    assert storeinfo.source_label("lendingclub: LoanStats3a.csv", "zh") == "lendingclub: LoanStats3a.csv"

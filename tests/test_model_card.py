"""docs/risk-model.md's generated blocks equal what `python -m lendrisk report model-card` prints
(slow: builds the 40,000-loan demo store, seed 7; the LoanStats3a block when LENDRISK_LOANSTATS3A
names the file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lendrisk import demo, modelcard, store

DOC = Path(__file__).resolve().parents[1] / "docs" / "risk-model.md"


def test_blocks_are_replaced_between_their_markers():
    text = "intro\n<!-- model-card:demo:start -->\nold\n<!-- model-card:demo:end -->\nrest\n"
    new = modelcard.replace_block(text, "demo", "| a | 1 |\n")
    assert new == "intro\n<!-- model-card:demo:start -->\n| a | 1 |\n<!-- model-card:demo:end -->\nrest\n"
    assert modelcard.read_block(new, "demo") == "| a | 1 |\n"
    with pytest.raises(ValueError, match="loanstats3a"):
        modelcard.read_block(text, "loanstats3a")


@pytest.mark.slow
def test_the_doc_carries_the_demo_model_card(tmp_path):
    path = tmp_path / "demo.duckdb"
    demo.build_demo_store(path)  # what `python -m lendrisk demo` builds: 40,000 loans, seed 7
    con = store.connect(path, read_only=True)
    try:
        card = modelcard.demo_card(con)
    finally:
        con.close()
    assert modelcard.read_block(DOC.read_text(encoding="utf-8"), "demo") == card


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("LENDRISK_LOANSTATS3A"), reason="LENDRISK_LOANSTATS3A not set")
def test_the_doc_carries_the_loanstats3a_back_test():
    card = modelcard.loanstats3a_card_from_file(Path(os.environ["LENDRISK_LOANSTATS3A"]))
    assert modelcard.read_block(DOC.read_text(encoding="utf-8"), "loanstats3a") == card

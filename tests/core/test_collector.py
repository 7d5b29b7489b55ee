"""The garbage-collector policy (`agent_tui.core.collector`), each case in a fresh interpreter: the collector's
state is the process's, so a test here must neither see nor leave another test's pauses, thresholds or freezes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest


def run_fresh(code: str, env: dict[str, str]) -> dict:
    """Run `code` in a new `python`; it prints one JSON line (the last line of its output)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_pauses_nest_and_the_collector_comes_back_only_after_the_last(subprocess_env: dict[str, str]) -> None:
    report = run_fresh(
        """
        import gc, json
        from agent_tui.core import collector
        seen = {}
        collector.pause("startup")
        collector.pause("import litellm")  # starts in another thread before the first frame ends the first
        seen["both"] = gc.isenabled()
        collector.resume("startup")
        seen["one left"] = gc.isenabled()
        seen["left"] = collector.active_pauses()
        collector.resume("import litellm")
        seen["none left"] = gc.isenabled()
        seen["unmatched"] = collector.resume("startup")
        seen["after unmatched"] = gc.isenabled()
        with collector.paused("a"):
            with collector.paused("a"):
                pass
            seen["inner same reason"] = gc.isenabled()
        seen["outer same reason"] = gc.isenabled()
        gc.disable()  # switched off by someone else: a pause must not switch it on
        with collector.paused("b"):
            pass
        seen["off before"] = gc.isenabled()
        print(json.dumps(seen))
        """,
        subprocess_env,
    )
    assert report == {
        "both": False, "one left": False, "left": {"import litellm": 1}, "none left": True, "unmatched": False,
        "after unmatched": True, "inner same reason": False, "outer same reason": True, "off before": False,
    }


def test_a_pause_ends_even_when_its_block_raises(subprocess_env: dict[str, str]) -> None:
    report = run_fresh(
        """
        import gc, json
        from agent_tui.core import collector
        try:
            with collector.paused("import litellm"):
                raise ImportError("no litellm")
        except ImportError:
            pass
        print(json.dumps({"enabled": gc.isenabled(), "pauses": collector.active_pauses()}))
        """,
        subprocess_env,
    )
    assert report == {"enabled": True, "pauses": {}}


def test_the_litellm_import_pause_nests_inside_the_start_up_pause(subprocess_env: dict[str, str]) -> None:
    # Before: the loader remembered "was it on?" on its own; started while the start-up paused the collector,
    # it left it off for the rest of the process.
    report = run_fresh(
        """
        import gc, json
        from agent_tui import startup_gc
        from agent_tui.core.llm.litellm_loader import import_without_gc_passes
        startup_gc.pause()
        with import_without_gc_passes():
            startup_gc.resume()  # the first frame arrives while litellm still loads
            during = gc.isenabled()
        print(json.dumps({"during": during, "after": gc.isenabled(), "frozen": gc.get_freeze_count() > 0}))
        """,
        subprocess_env,
    )
    assert report == {"during": False, "after": True, "frozen": True}


def test_deferred_full_passes_run_only_at_idle_and_reclaim_the_cycles(subprocess_env: dict[str, str]) -> None:
    report = run_fresh(
        """
        import gc, json, weakref
        from agent_tui.core import collector

        class Node:
            pass

        def cycle():
            a, b = Node(), Node()
            a.other, b.other = b, a
            return a

        gc.collect()
        gc.freeze()
        old_threshold = gc.get_threshold()
        collector.defer_full_passes()
        full_before = gc.get_stats()[2]["collections"]
        young_before = gc.get_stats()[0]["collections"]
        old_cycles = [cycle() for _ in range(500)]
        gc.collect(1)  # a middle pass: they are in the oldest generation now
        dead_cycles = [weakref.ref(one) for one in old_cycles]
        del old_cycles  # garbage that only a full pass can find
        kept = [[Node() for _ in range(50)] for _ in range(20_000)]  # a million objects: many young passes
        seen = {
            "young passes ran": gc.get_stats()[0]["collections"] > young_before,
            "full passes before idle": gc.get_stats()[2]["collections"] - full_before,
            "alive before idle": all(ref() is not None for ref in dead_cycles),
        }
        done = collector.collect_at_idle()
        seen["full passes after idle"] = gc.get_stats()[2]["collections"] - full_before
        seen["collected"] = done.collected >= 2 * len(dead_cycles)
        seen["reclaimed"] = all(ref() is None for ref in dead_cycles)
        seen["frozen"] = done.frozen >= len(kept)
        seen["nothing left to walk"] = len(gc.get_objects(generation=2)) < 100
        collector.pause("loading")
        seen["paused pass"] = collector.collect_at_idle()
        collector.resume("loading", freeze=False)
        collector.restore_full_passes()
        seen["threshold restored"] = gc.get_threshold() == old_threshold
        print(json.dumps(seen))
        """,
        subprocess_env,
    )
    assert report == {
        "young passes ran": True, "full passes before idle": 0, "alive before idle": True,
        "full passes after idle": 1, "collected": True,
        "reclaimed": True, "frozen": True, "nothing left to walk": True, "paused pass": None,
        "threshold restored": True,
    }


@pytest.mark.parametrize("turns", [300])
def test_cycles_made_after_a_freeze_are_reclaimed_and_memory_stays_flat(subprocess_env: dict[str, str],
                                                                       turns: int) -> None:
    # Like the transcript's line cache: each "turn" keeps new cyclic objects for a while (frozen by the idle pass
    # with everything alive), then drops them. Frozen garbage is reclaimed by the deep passes.
    report = run_fresh(
        f"""
        import collections, gc, json, tracemalloc, weakref
        from agent_tui.core import collector

        collector.DEEP_MINIMUM = 20_000

        class Strip:
            def __init__(self):
                self.cache = {{"self": self}}  # a cached result that is the strip itself: a cycle
                self.payload = [0] * 20

        gc.collect()
        gc.freeze()
        collector.defer_full_passes()
        tracemalloc.start()
        cache = collections.deque(maxlen=2_000)  # the last 2,000 strips stay alive, older ones are dropped
        first_dropped = None
        sizes = []
        deep = 0
        for turn in range({turns}):
            for _ in range(500):
                cache.append(Strip())
            if turn == 5:
                first_dropped = weakref.ref(cache[0])  # alive, frozen at this turn's idle pass
            done = collector.collect_at_idle()
            deep += done.deep
            sizes.append(tracemalloc.get_traced_memory()[0])
        print(json.dumps({{
            "early frozen strip reclaimed": first_dropped() is None,
            "deep passes": deep,
            "growth after warm-up (KB)": (max(sizes[-50:]) - sizes[20]) // 1024,
            "young objects pending": gc.get_count()[0],
        }}))
        """,
        subprocess_env,
    )
    assert report["early frozen strip reclaimed"]
    assert report["deep passes"] >= 2
    # 2,000 live strips are ~1 MB; 150,000 leaked would be ~75 MB. Bounded by a deep pass's interval (~20,000).
    assert report["growth after warm-up (KB)"] < 12_000, report
    assert report["young objects pending"] < 1_000

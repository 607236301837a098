"""loaded_once: what takes seconds to build is built once, however many threads ask first."""
import threading
import time

from catalogue.loading import loaded_once


def test_concurrent_first_calls_build_once_and_all_get_the_result():
    builds = []

    @loaded_once
    def index(kind):
        builds.append(kind)
        time.sleep(0.05)  # long enough for every thread to arrive while it builds
        return {"kind": kind}

    start = threading.Barrier(16)
    results = []

    def ask():
        start.wait()
        results.append(index("skills"))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == ["skills"] and len(results) == 16
    assert all(r is results[0] for r in results)
    assert index("occupations") == {"kind": "occupations"} and builds == ["skills", "occupations"]
    index.cache_clear()
    index("skills")
    assert builds == ["skills", "occupations", "skills"]


def test_a_failed_build_is_tried_again():
    calls = []

    @loaded_once
    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the file is not there yet")
        return "ready"

    try:
        flaky()
    except OSError:
        pass
    assert flaky() == "ready" and len(calls) == 2

"""Mutation score: small wrong changes made to the modules where a mistake costs most, one at a
time, by cosmic-ray; a mutant the module's tests do not notice "survives".

    python bench/mutation.py                       # every module below
    python bench/mutation.py harvesters/fetch.py   # one module
    python bench/mutation.py --list                # the modules and the tests that guard them

Each module runs in its own git worktree of HEAD (mutations are written to disk, so the working
tree is never touched and modules can run side by side), against the tests named for it here,
on SQLite without services. Printed per module: mutants, killed, survived, the score, and each
survivor (line, operator) to review: kill it with a test, or mark it equivalent in EQUIVALENT
with the reason. Slow (minutes per module): not part of `make test`; `make mutation` runs it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VECTORS = ROOT / "instance" / "mutation-vectors.sqlite"  # the model's vectors, kept between runs

MODULES = {  # module -> the tests that should catch a mistake in it
    "harvesters/fetch.py": ["tests/harvesters/test_fetch.py", "tests/harvesters/test_hostile.py"],
    "harvesters/runner.py": ["tests/harvesters/test_runner.py", "tests/harvesters/test_hostile.py",
                             "tests/harvesters/test_csv_feed.py"],
    "catalogue/validation.py": ["tests/catalogue", "tests/harvesters/test_csv_feed.py"],
    "catalogue/store.py": ["tests/catalogue", "tests/harvesters/test_csv_feed.py",
                           "tests/harvesters/test_runner.py"],
    "catalogue/normalise.py": ["tests/catalogue/test_normalise.py", "tests/catalogue/test_credits.py"],
    "catalogue/prices.py": ["tests/catalogue/test_prices.py"],
    "catalogue/credits.py": ["tests/catalogue/test_credits.py"],
    "indexer/fusion.py": ["tests/indexer/test_meaning.py"],
    "indexer/wording.py": ["tests/indexer/test_meaning.py"],
    "indexer/spelling.py": ["tests/indexer/test_spelling.py", "tests/indexer/test_meaning.py"],
    "indexer/places.py": ["tests/indexer/test_places.py"],
    "indexer/opensearch/queries.py": ["tests/indexer/test_opensearch_queries.py"],
    "indexer/sqlite/backend.py": ["tests/indexer/test_sqlite_backend.py",
                                  "tests/indexer/test_meaning.py"],
    "portal/i18n.py": ["tests/portal/test_languages.py", "tests/portal/test_language_rules.py"],
    "portal/search_service.py": ["tests/portal/test_search_meaning.py",
                                 "tests/portal/test_filters_from_words.py",
                                 "tests/portal/test_client_situation_filters.py"],
}
# Only the mutations that model real mistakes: off-by-one and inverted comparisons, swapped
# boolean operators, wrong constants, dropped conditions and loops, not every arithmetic swap.
EXCLUDED_OPERATORS = [
    r"core/ReplaceBinaryOperator_(?!Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div).*",
    r"core/ReplaceComparisonOperator_(?!Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|Is_IsNot"
    r"|IsNot_Is|In_NotIn|NotIn_In).*",
    r"core/ReplaceUnaryOperator_(?!Delete_Not).*",
    r"core/RemoveDecorator",
]
EQUIVALENT: dict[str, str] = {  # "module:line:operator" -> why no test can tell it apart
    "indexer/spelling.py:69:core/NumberReplacer":
        "max_dictionary_edit_distance 3 (lookups ask 2 at most) and prefix_length 6 or 8 change "
        "what SymSpell precomputes, not which words within 2 edits it finds",
    "indexer/spelling.py:71:core/NumberReplacer":
        "MIN_LENGTH - 2: a two-letter word is never within reach (4-7 letters: one edit, 8 or "
        "more: two, so corrections have 3 letters at least)",
    "indexer/spelling.py:155:core/NumberReplacer":
        "min by (distance, distance): rapidfuzz lists equal scores by index, the frequency order",
    "indexer/opensearch/queries.py:28:core/NumberReplacer":
        "FACET_SIZE 9,999 or 10,001: any size above the largest vocabulary (2,123 NUTS codes) "
        "returns every value",
    "indexer/opensearch/queries.py:229:core/NumberReplacer":
        "pagination_depth's floor of 10 (9, 11): the depth is at least the page's end either way, "
        "and fusion ranks what it sees alike",
    "indexer/opensearch/queries.py:262:core/NumberReplacer":
        "track_total_hits 2: counting to two answers 'is there any?' as counting to one",
    "indexer/places.py:36:core/NumberReplacer":
        "99,999: no European city of the gazetteer has exactly 99,999 people (100,000 is tested)",
    "indexer/places.py:118:core/ReplaceComparisonOperator_Lt_LtE":
        "U+0530 is unassigned and U+2000 is a space: neither is ever a letter to check",
    "indexer/places.py:147:core/ReplaceComparisonOperator_Lt_LtE":
        "equal populations under one name: only Komarno, SK, listed twice (one town)",
    "indexer/places.py:147:core/ReplaceAndWithOr": "no city name folds to no words at all",
    "indexer/places.py:155:core/ReplaceComparisonOperator_Lt_LtE":
        "no article is also a common word, so the last word is never skipped as an article",
    "indexer/places.py:155:core/NumberReplacer":
        "len - 0 differs only for a name of articles alone, which no article as common word ends",
    "indexer/places.py:179:core/NumberReplacer": "range end -1 adds n=0: the empty name is absent",
    "indexer/places.py:181:core/ReplaceBreakWithContinue": "only slower: shorter names cannot win",
    "indexer/places.py:182:core/ReplaceComparisonOperator_Gt_GtE": "n=1 has no gap to check",
    "indexer/places.py:182:core/NumberReplacer": "n > 0: as n >= 1, no gap to check at n=1",
    "indexer/places.py:190:core/ReplaceContinueWithBreak":
        "a common name's shorter prefix would be articles alone, and no city is named so",
    "indexer/places.py:191:core/NumberReplacer":
        "best[:3] adds the start, which differs only for the same city named twice: first kept",
    "indexer/places.py:193:core/ReplaceBreakWithContinue":
        "the shorter names at the same start are shorter than the best: the next test breaks",
    "indexer/places.py:198:core/ReplaceComparisonOperator_Lt_LtE": "first == i: the same start",
    "indexer/places.py:224:core/ReplaceComparisonOperator_LtE_Lt":
        "a distance exactly equal to the limit in floating point",
    "indexer/places.py:232:core/NumberReplacer":
        "min(2.0, ...): sqrt(a) never exceeds 1 in floating point (2 million antipodes checked)",
    "indexer/places.py:240:core/NumberReplacer": "as line 232, vectorised",
}


# Constants chosen by measurement, whose neighbours (2.0 -> 3.0) rank a little differently: no
# unit test can say which value is right, bench/relevance.py and the cross-backend contract
# tests measure them. Listed apart from the equivalent ones, with where they are measured.
TUNED: dict[str, str] = {
    "indexer/opensearch/queries.py:24:core/NumberReplacer":
        "READER_BOOST, the reader's language's score bonus: bench/relevance.py per language",
    "indexer/opensearch/queries.py:93:core/NumberReplacer":
        "outcome snippet length (160 characters, as the embedded snippets): the result cards",
    "indexer/opensearch/queries.py:94:core/NumberReplacer": "description snippet length, as 93",
}


def config(module: str, tests: list[str], folder: Path) -> Path:
    command = (f"{PYTHON} -m pytest -x -q -p no:cacheprovider -p no:randomly "
               f"-k 'not postgresql' {' '.join(tests)}")
    path = folder / "cosmic-ray.toml"
    path.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module)}\n"
        "timeout = 120.0\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n"
        "[cosmic-ray.distributor]\nname = \"local\"\n"
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = {json.dumps(EXCLUDED_OPERATORS)}\n")
    return path


def mutate(module: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="learncat-mutation-"))
    tree = folder / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), "HEAD"],
                   check=True)
    try:
        cfg, session = config(module, MODULES[module], tree), tree / "session.sqlite"
        env = {**os.environ, "PYTHONPATH": str(tree), "LEARNCAT_SHARED_DATA":
               os.environ.get("LEARNCAT_SHARED_DATA", str(ROOT.parent / "shared" / "data"))}
        env.setdefault("LEARNCAT_TEST_VECTOR_CACHE", str(VECTORS))  # see tests/vector_cache.py
        env.pop("OPENSEARCH_URL", None), env.pop("DATABASE_TEST_URL", None), env.pop("CI", None)
        cosmic = [str(Path(PYTHON).parent / "cosmic-ray")]
        subprocess.run([*cosmic, "init", str(cfg), str(session)], cwd=tree, env=env, check=True)
        subprocess.run([str(Path(PYTHON).parent / "cr-filter-operators"), str(session), str(cfg)],
                       cwd=tree, env=env, check=True)
        subprocess.run([*cosmic, "exec", str(cfg), str(session)], cwd=tree, env=env, check=True)
        dump = subprocess.run([*cosmic, "dump", str(session)], cwd=tree, env=env, check=True,
                              capture_output=True, text=True).stdout
        result = summary(module, [json.loads(line) for line in dump.splitlines() if line.strip()])
        print("\n".join([line(result), *(f"  survived: {k}" for k in result["survivors"])]),
              flush=True)  # as each module ends: a long run can be stopped
        return result
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)
        shutil.rmtree(folder, ignore_errors=True)


def summary(module: str, items: list) -> dict:
    killed, survivors, errors, tuned = 0, [], 0, 0
    for work, result in items:
        if not result:
            continue
        (mutation,) = work["mutations"]
        key = f"{module}:{mutation['start_pos'][0]}:{mutation['operator_name']}"
        if result["test_outcome"] == "killed":
            killed += 1
        elif result["worker_outcome"] != "normal":
            errors += 1  # the mutant could not be run (not counted)
        elif key in TUNED:
            tuned += 1
        elif key not in EQUIVALENT:
            survivors.append(key)
    counted = killed + len(survivors)
    return {"module": module, "mutants": counted, "killed": killed, "survived": len(survivors),
            "score": killed / counted if counted else 1.0, "survivors": survivors,
            "not run": errors, "tuned": tuned}


def line(r: dict) -> str:
    return (f"{r['module']:<28} {r['mutants']:>7} {r['killed']:>7} {r['survived']:>8} "
            f"{r['score']:>6.0%} {r['tuned']:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES))
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    args = parser.parse_args()
    if args.list:
        for module, tests in MODULES.items():
            print(f"{module:<28} {' '.join(tests)}")
        return
    VECTORS.parent.mkdir(exist_ok=True)
    print(f"{'module':<28} {'mutants':>7} {'killed':>7} {'survived':>8} {'score':>6} "
          f"{'tuned':>6}  (equivalent and tuned mutants are not counted)", flush=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(mutate, args.modules))


if __name__ == "__main__":
    main()

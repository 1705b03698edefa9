#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang and runs each for a bounded time.
#   scripts/fuzz.sh            60 seconds per target
#   scripts/fuzz.sh SECONDS    SECONDS per target
# First replays every seed and every regression input (fuzz/corpus/<t>/, fuzz/regressions/<t>/),
# then fuzzes each target on a copy of its seed corpus (the repository's copy is left alone).
# Prints the executions per target. Exits non-zero if any input crashed or broke an invariant;
# the crashing inputs are kept in build-fuzz/artifacts/<target>/, the logs in build-fuzz/logs/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
case "$seconds" in
  '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac
build="$here/build-fuzz"
targets=(command ini visitor_text http_request)
# Longest input per target: enough for a long session of events, a config file, a message at
# its size limit, a request body; short enough to keep executions fast.
declare -A max_len=([command]=4096 [ini]=4096 [visitor_text]=4200 [http_request]=8192)

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found (install clang libclang-rt-14-dev)" >&2; exit 2; }
done
CC=clang CXX=clang++ cmake -S "$here/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j 2

mkdir -p "$build/logs"
failed=()
report=()

# 1. Every known input, once: the seeds must pass, and so must the crashes found before.
for t in "${targets[@]}"; do
  binary="$build/${t}_fuzz"
  [ -x "$binary" ] || continue
  inputs=()
  for dir in "$here/fuzz/corpus/$t" "$here/fuzz/regressions/$t"; do
    [ -d "$dir" ] && while IFS= read -r -d '' f; do inputs+=("$f"); done \
      < <(find "$dir" -type f -print0 | sort -z)
  done
  [ ${#inputs[@]} -gt 0 ] || continue
  if ! "$binary" "${inputs[@]}" >"$build/logs/${t}_replay.log" 2>&1; then
    echo "fuzz: $t: a seed or regression input fails; see $build/logs/${t}_replay.log" >&2
    grep -E "^(INVARIANT BROKEN|  detail|Running: |==[0-9]+==ERROR|SUMMARY)" \
      "$build/logs/${t}_replay.log" | tail -n 6 >&2 || true
    failed+=("$t (replay)")
  fi
done

# 2. Bounded fuzzing, as many targets at once as there are cores (each fuzzer is one process on
# one core, so each still gets its seconds of a core; CI's wall time is halved on two).
fuzz_target() {  # writes "<status> <executions>" to $build/logs/<t>.result
  local t=$1 binary="$build/${1}_fuzz" status=0
  local corpus="$build/corpus-run/$t" artifacts="$build/artifacts/$t" log="$build/logs/$t.log"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  cp "$here/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  "$binary" "$corpus" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  echo "$status $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)" \
    >"$build/logs/$t.result"
}
running=0
for t in "${targets[@]}"; do
  [ -x "$build/${t}_fuzz" ] || continue
  rm -f "$build/logs/$t.result"
  echo "fuzz: $t for ${seconds}s"
  fuzz_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$(nproc)" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

for t in "${targets[@]}"; do
  if [ ! -x "$build/${t}_fuzz" ]; then
    report+=("$(printf '%-14s skipped (not built)' "$t")")
    continue
  fi
  status=1 executions=""
  [ -f "$build/logs/$t.result" ] && read -r status executions <"$build/logs/$t.result"
  log="$build/logs/$t.log"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    echo "fuzz: $t crashed (exit $status); inputs in $build/artifacts/$t/, log $log" >&2
    grep -E "^(INVARIANT BROKEN|  detail|==[0-9]+==ERROR|SUMMARY|artifact_prefix)" "$log" \
      | tail -n 6 >&2 || true
  fi
  report+=("$(printf '%-14s %12s executions  %s' "$t" "${executions:-?}" \
    "$([ "$status" -eq 0 ] && echo ok || echo CRASH)")")
done

echo
echo "fuzz: ${seconds}s per target"
printf '  %s\n' "${report[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash"

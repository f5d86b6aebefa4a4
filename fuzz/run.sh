#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 600) with libFuzzer (cargo fuzz, nightly), one
# after the other, then merges what it found into the committed corpus (minimised: only inputs
# that add coverage are kept). A crash or an out-of-memory stops the run and leaves its input in
# fuzz/artifacts/; an input slower than 20 s is moved to fuzz/regressions/ and the run goes on.
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]   (default: every target)
# Needs: rustup toolchain nightly, cargo install cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(xlsx docx pdf richtext jsonl calendar)
[ -d corpus ] || python3 seed.py
cargo +nightly fuzz build -O
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "work/$t" "regressions/$t"
  rm -f "work/$t.log"
  echo "== $t: ${secs} s"
  # Fork mode: a crash or an out-of-memory stops the run; a slow input (over 20 s) is kept in
  # regressions/ and fuzzing goes on (the server reads untrusted PDFs in a child process under a
  # CPU limit, and the test suite checks each kept input is reported unreadable).
  cargo +nightly fuzz run -O "$t" "work/$t" "corpus/$t" -- \
    -fork=1 -ignore_timeouts=1 -ignore_ooms=0 -ignore_crashes=0 \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -timeout=20 \
    > "work/$t.log" 2>&1 || true
  for f in artifacts/"$t"/timeout-*; do [ -e "$f" ] && mv "$f" "regressions/$t/"; done
  if ls artifacts/"$t"/crash-* artifacts/"$t"/oom-* >/dev/null 2>&1; then
    tail -40 "work/$t.log"
    echo "!! $t found a crash or an out-of-memory: its input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  grep -E 'oom/timeout/crash' "work/$t.log" | tail -1
  # keep the committed corpus small: only what adds coverage
  rm -rf "min/$t"; mkdir -p "min/$t"
  cargo +nightly fuzz run -O "$t" "min/$t" "corpus/$t" "work/$t" -- -merge=1 -timeout=20 >/dev/null 2>&1
  rm -rf "corpus/$t" && mv "min/$t" "corpus/$t"
done
rm -rf work min

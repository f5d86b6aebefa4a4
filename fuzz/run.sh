#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 600) with libFuzzer (cargo fuzz, nightly), one
# after the other, then merges what it found into the committed corpus (minimised: only inputs
# that add coverage are kept). A crash stops the run and leaves its input in fuzz/artifacts/.
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
  mkdir -p "corpus/$t" "work/$t"
  rm -f "work/$t.log"
  echo "== $t: ${secs} s"
  if ! cargo +nightly fuzz run -O "$t" "work/$t" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=65536 -timeout=20 -print_final_stats=1 \
    > "work/$t.log" 2>&1; then
    tail -40 "work/$t.log"
    echo "!! $t found a crash: its input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "work/$t.log" || true
  # keep the committed corpus small: only what adds coverage
  rm -rf "min/$t"; mkdir -p "min/$t"
  cargo +nightly fuzz run -O "$t" "min/$t" "corpus/$t" "work/$t" -- -merge=1 >/dev/null 2>&1
  rm -rf "corpus/$t" && mv "min/$t" "corpus/$t"
done
rm -rf work min

#!/usr/bin/env bash
# Work-plan import (issue 12): `gongkai plan import --dry-run` on the seed plan (Traditional
# characters, 10 KB, 18 points), against the demo district on SQLite. The time printed by the
# command covers reading the file, folding Traditional to Simplified, parsing the points and
# resolving every phrase against the unit tree read from the database (target < 100 ms); the
# whole process (start-up, opening and migrating the database) is timed beside it.
#
# Usage: bench/plan.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
cargo build --release -q --bin gongkai
gk=$PWD/target/release/gongkai
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gk" demo --items 0 --data "$tmp/data" > /dev/null
plan=crates/cli/tests/fixtures/work-plan.txt
echo "### plan import --dry-run, $runs runs ($(date -u +%Y-%m-%d), $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  out=$("$gk" plan import "$plan" --year 2027 --dry-run --data "$tmp/data")
  end=$(date +%s%N)
  grep -o '读取用时 [0-9.]* ms' <<< "$out" | grep -o '[0-9.]*' >> "$tmp/read"
  echo $(( (end - start) / 1000000 )) >> "$tmp/proc"
done
stat() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "median %s ms, slowest %s ms", v[int((NR + 1) / 2)], v[NR] }'; }
echo "read and resolve: $(stat "$tmp/read"); whole process: $(stat "$tmp/proc")"

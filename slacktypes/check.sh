#!/usr/bin/env bash
# check.sh [captured-dir...]: type-checks every golden file, the payloads the
# end-to-end tests captured and manifest.yml against Slack's published
# TypeScript types (@slack/types, @slack/web-api) with tsc --strict, then
# proves the check bites: each file in testdata/bad must be refused.
set -euo pipefail
cd "$(dirname "$0")"
for d in "$@"; do
	if ! ls "$d"/*.json >/dev/null 2>&1; then
		echo "no captured payloads in $d: was KEPT_PAYLOAD_DIR set for the end-to-end tests?" >&2
		exit 1
	fi
done
npm ci --no-audit --no-fund --loglevel=error
node gen.mjs "$@"
npx tsc -p .
echo "tsc --strict: $(ls generated | wc -l) files match Slack's types"
for bad in testdata/bad/*.json; do
	node gen.mjs --out generated-bad --only "$bad" >/dev/null
	# Refused means an error in the payload itself, not in the setup.
	out=$(npx tsc -p tsconfig.bad.json || true)
	if ! grep -q '^generated-bad/.*error TS' <<<"$out"; then
		echo "tsc did not refuse $bad, which Slack's types refuse: the check does not bite" >&2
		exit 1
	fi
done
rm -rf generated-bad
echo "tsc --strict refused all $(ls testdata/bad | wc -l) known-bad payloads"

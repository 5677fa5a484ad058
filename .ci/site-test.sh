#!/usr/bin/env bash
# The rule reference site (`pitfall docs`), checked in headless Chromium: Debian's
# chromium package driven by playwright-core (pinned in tests/site/package-lock.json).
# Screenshots land in target/site-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/tmp/pitfall-chromium-install.log 2>&1; then
        cat /tmp/pitfall-chromium-install.log >&2
        echo "SKIPPED: the site browser test: Debian's chromium could not be installed (log above)" >&2
        exit 0
    fi
fi
if ! command -v npm >/dev/null; then
    echo "SKIPPED: the site browser test: npm is not installed" >&2
    exit 0
fi
if ! (cd tests/site && npm ci --no-audit --no-fund --loglevel=error); then
    echo "SKIPPED: the site browser test: playwright-core could not be installed from npm (output above)" >&2
    exit 0
fi

rm -rf target/site
cargo run --quiet --locked -- docs --out target/site
node tests/site/check.mjs target/site target/site-artifacts

#!/usr/bin/env bash
# Installs the browser test's npm packages (playwright-core, @axe-core/playwright) exactly as
# package-lock.json pins them, and only when they are missing or the lock file changed.
# No browser is downloaded: the test drives Debian's chromium. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.installed-from-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "installing the browser test's npm packages from package-lock.json" >&2
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"

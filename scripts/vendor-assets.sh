#!/usr/bin/env bash
# Re-vendors front-end assets from the npm registry into static/vendor/.
# Nothing is loaded from a CDN at run time: the binary embeds static/.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=2.0.11
tmp=$(mktemp -d)
(cd "$tmp" && npm pack "htmx.org@$HTMX_VERSION" >/dev/null && tar xzf htmx.org-*.tgz)
cp "$tmp/package/dist/htmx.min.js" static/vendor/htmx.min.js
cp "$tmp/package/LICENSE" static/vendor/htmx.LICENSE
rm -rf "$tmp"
echo "vendored htmx $HTMX_VERSION"

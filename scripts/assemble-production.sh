#!/bin/sh
# The production installation of Akked, assembled from a built checkout:
#   scripts/assemble-production.sh <built checkout> <target folder>
# The Dockerfile's "assemble" stage runs exactly this, and test/production-install.test.ts runs it
# too (then makes the result read-only and starts it as an unprivileged user), so the test proves
# what the image ships. The checkout must have been built (`npm run build`).
#
# Only the locked runtime dependencies are installed. Besides dev, optional and peer dependencies
# are left out: React and Vite are also optional peers of better-auth (the lock marks them
# devOptional, which --omit=dev alone keeps), and sharp is a peer of baileys that Akked never loads
# (it sends no images). No install script runs.
set -eu

source=$1
target=$2

for built in dist/cli/main.js dashboard/dist/index.html; do
  if [ ! -f "$source/$built" ]; then
    echo "assemble-production: $source/$built is missing: run \"npm run build\" in $source first" >&2
    exit 1
  fi
done

mkdir -p "$target/bin" "$target/dashboard"
cp "$source/package.json" "$source/package-lock.json" "$target/"
(cd "$target" && npm ci --omit=dev --omit=optional --omit=peer --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
cp "$source/bin/akked" "$target/bin/akked"
cp -R "$source/dist" "$target/dist"
cp -R "$source/dashboard/dist" "$target/dashboard/dist"

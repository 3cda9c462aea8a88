#!/usr/bin/env sh
# Trunk's post-build hook (Trunk.toml): beside each text or wasm file of a
# release build, writes its brotli (.br) and gzip (.gz) twin, so servers
# send them as they are (the reference server, Caddy's `precompressed`,
# nginx's `gzip_static`) instead of compressing on every request, and at
# the best levels, which are too slow to use on the fly.
set -eu
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0
dir=${TRUNK_STAGING_DIR:?run by trunk build}
if ! command -v brotli >/dev/null; then
  echo "precompress.sh: brotli is missing; run scripts/setup.sh" >&2
  exit 1
fi
count=0
# Not index.html: operators edit its <base href>, and a twin left stale
# would undo the edit. It is 2 KB.
for file in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/*.svg "$dir"/locales/*.json; do
  [ -f "$file" ] || continue
  brotli --force --best --keep "$file"
  gzip --force --best --keep --no-name "$file"
  count=$((count + 1))
done
echo "precompress.sh: $count files, each with .br and .gz"

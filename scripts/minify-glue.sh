#!/usr/bin/env sh
# Trunk's post-build hook (Trunk.toml), before precompress.sh: minifies the
# JavaScript that wasm-bindgen writes beside the wasm (about 68 KB of
# readable glue, 9 KB of brotli) with terser (npm, installed by
# scripts/setup.sh), and puts the new file's hash in index.html's
# integrity attribute, which Trunk wrote for the file as it was. Trunk's own
# minifier cannot parse this file. embed.js stays as written: host pages
# read it.
set -eu
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0
dir=${TRUNK_STAGING_DIR:?run by trunk build}
terser="${APP_PASSWORDS_TOOLS:?run with scripts/env.sh sourced}/node_modules/.bin/terser"
if [ ! -x "$terser" ]; then
  echo "minify-glue.sh: terser is missing; run scripts/setup.sh" >&2
  exit 1
fi
# Subresource integrity: base64 of the SHA-384 of the file.
sha384() {
  node -e 'process.stdout.write(require("crypto").createHash("sha384").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1"
}
for file in "$dir"/app-passwords-*.js; do
  [ -f "$file" ] || continue
  name=$(basename "$file")
  old=$(sha384 "$file")
  before=$(wc -c <"$file")
  "$terser" "$file" --module --compress --mangle --output "$file.min"
  mv "$file.min" "$file"
  new=$(sha384 "$file")
  if ! grep -qF "sha384-$old" "$dir/index.html"; then
    echo "minify-glue.sh: index.html has no integrity sha384-$old for $name" >&2
    exit 1
  fi
  # Base64 holds '/' and '+': a separator that it never holds.
  sed -i "s|sha384-$old|sha384-$new|" "$dir/index.html"
  echo "minify-glue.sh: $name $before → $(wc -c <"$file") bytes"
done

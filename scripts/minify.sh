#!/usr/bin/env sh
# Trunk's post-build hook (Trunk.toml), before precompress.sh: minifies what
# Trunk leaves readable, and puts each new file's hash in index.html's
# integrity attribute, which Trunk wrote for the file as it was:
# - the JavaScript wasm-bindgen writes beside the wasm (68 KB of readable
#   glue), with terser, since Trunk's own minifier cannot parse it;
# - the stylesheet, with clean-css at its safe level (no restructuring),
#   since Trunk's minify setting would minify index.html too, which
#   operators edit.
# embed.js stays as written: host pages read it. Both tools come from npm
# (scripts/setup.sh).
set -eu
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0
dir=${TRUNK_STAGING_DIR:?run by trunk build}
bin="${APP_PASSWORDS_TOOLS:?run with scripts/env.sh sourced}/node_modules/.bin"
for tool in terser cleancss; do
  if [ ! -x "$bin/$tool" ]; then
    echo "minify.sh: $tool is missing; run scripts/setup.sh" >&2
    exit 1
  fi
done

# Subresource integrity: base64 of the SHA-384 of the file.
sha384() {
  node -e 'process.stdout.write(require("crypto").createHash("sha384").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# Minifies FILE (.js or .css) in place, and its hash in index.html.
minify() {
  file=$1
  old=$(sha384 "$file")
  if ! grep -qF "sha384-$old" "$dir/index.html"; then
    echo "minify.sh: index.html has no integrity sha384-$old for $(basename "$file")" >&2
    exit 1
  fi
  before=$(wc -c <"$file")
  case "$file" in
    *.js) "$bin/terser" "$file" --module --compress --mangle --output "$file.min" ;;
    *.css) "$bin/cleancss" -O1 --output "$file.min" "$file" ;;
  esac
  mv "$file.min" "$file"
  # Base64 holds '/' and '+', never '|'.
  sed -i "s|sha384-$old|sha384-$(sha384 "$file")|" "$dir/index.html"
  echo "minify.sh: $(basename "$file") $before → $(wc -c <"$file") bytes"
}

for file in "$dir"/app-passwords-*.js "$dir"/*.css; do
  [ -f "$file" ] && minify "$file"
done

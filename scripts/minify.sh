#!/usr/bin/env sh
# Trunk's post-build hook (Trunk.toml), before precompress.sh: makes
# smaller what Trunk leaves as it is, names each file after its new
# content, and puts the new name and hash in index.html, which Trunk wrote
# for the file as it was:
# - the wasm and the JavaScript wasm-bindgen writes beside it: the names
#   they call each other by, shortened in both (short-names.mjs);
# - that JavaScript (68 KB of readable glue), with terser, since Trunk's
#   own minifier cannot parse it;
# - the stylesheet, with clean-css at its safe level (no restructuring),
#   since Trunk's minify setting would minify index.html too, which
#   operators edit.
# embed.js stays as written: host pages read it. Both minifiers come from
# npm (scripts/setup.sh).
set -eu
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0
dir=${TRUNK_STAGING_DIR:?run by trunk build}
bin="${APP_PASSWORDS_TOOLS:-$HOME/.cache/app-passwords-tools}/node_modules/.bin"
for tool in terser cleancss; do
  if [ ! -x "$bin/$tool" ]; then
    echo "minify.sh: $tool is missing; run scripts/setup.sh" >&2
    exit 1
  fi
done

# digest ALGORITHM ENCODING FILE: the file's digest, as Node computes it.
digest() {
  node -e 'const [a, e, f] = process.argv.slice(1); process.stdout.write(require("crypto").createHash(a).update(require("fs").readFileSync(f)).digest(e))' "$1" "$2" "$3"
}

# The sha384 of FILE as index.html names it in an integrity attribute;
# fails when index.html names another.
integrity() {
  hash=$(digest sha384 base64 "$1")
  if ! grep -qF "sha384-$hash" "$dir/index.html"; then
    echo "minify.sh: index.html has no integrity sha384-$hash for $(basename "$1")" >&2
    exit 1
  fi
  printf '%s\n' "$hash"
}

# Renames FILE after its new content (OLD: its sha384 as it was) and puts
# the new name and integrity hash in index.html. Trunk's name hashes the
# content before this script changed it: were a new terser to minify the
# same code otherwise, the same name would carry new bytes, and a browser
# that keeps the old ones for good (the name is cached as immutable) would
# find them failing the new hash.
settle() {
  file=$1 old=$2
  name=$(basename "$file")
  # Into variables first: a failure inside sed's arguments would pass unseen.
  short=$(digest sha256 hex "$file")
  short=$(printf '%s' "$short" | cut -c1-16)
  new=$(digest sha384 base64 "$file")
  if [ ${#short} -ne 16 ] || [ -z "$new" ]; then
    echo "minify.sh: no digest of $name" >&2
    exit 1
  fi
  # `main-<16 hex>.css` → `main-<16 hex of the new content>.css`; the
  # wasm's `_bg` stays where it is.
  renamed=$(printf '%s\n' "$name" | sed "s/-[0-9a-f]*\(_bg\)\{0,1\}\(\.[a-z]*\)\$/-$short\1\2/")
  [ "$renamed" = "$name" ] || mv "$file" "$dir/$renamed"
  # Base64 holds '/' and '+', never '|'; a name holds '.', which matches itself too.
  sed -i -e "s|sha384-$old|sha384-$new|g" -e "s|/$name\"|/$renamed\"|g" "$dir/index.html"
  echo "minify.sh: $name → $renamed $(wc -c <"$dir/$renamed") bytes"
}

# The one of FILES (a glob's expansion) that exists, or a failure.
only() {
  found=0
  for file in "$@"; do
    [ -f "$file" ] && found=$((found + 1)) && last=$file
  done
  if [ "$found" -ne 1 ]; then
    echo "minify.sh: expected one $(basename "$1") from wasm-bindgen in $dir, found $found" >&2
    exit 1
  fi
  printf '%s\n' "$last"
}

wasm=$(only "$dir"/app-passwords-*_bg.wasm)
glue=$(only "$dir"/app-passwords-*.js)
old_wasm=$(integrity "$wasm")
old_glue=$(integrity "$glue")
# Short names for what the two hand each other, then terser.
node "$(dirname "$0")/short-names.mjs" "$wasm" "$glue"
"$bin/terser" "$glue" --module --compress --mangle --output "$glue.min"
mv "$glue.min" "$glue"
settle "$wasm" "$old_wasm"
settle "$glue" "$old_glue"
for css in "$dir"/*.css; do
  [ -f "$css" ] || continue
  old=$(integrity "$css")
  "$bin/cleancss" -O1 --output "$css.min" "$css"
  mv "$css.min" "$css"
  settle "$css" "$old"
done

#!/usr/bin/env sh
# Trunk's post-build hook (Trunk.toml), before precompress.sh: minifies what
# Trunk leaves readable, names each file after its new content, and puts
# the new name and hash in index.html, which Trunk wrote for the file as it
# was:
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

# Minifies FILE (.js or .css), renames it after its new content and puts
# the new name and integrity hash in index.html. Trunk's name hashes the
# content before minifying: were a new terser to minify the same code
# otherwise, the same name would carry new bytes, and a browser that keeps
# the old ones for good (the name is cached as immutable) would find them
# failing the new hash.
minify() {
  file=$1
  name=$(basename "$file")
  old=$(digest sha384 base64 "$file")
  if ! grep -qF "sha384-$old" "$dir/index.html"; then
    echo "minify.sh: index.html has no integrity sha384-$old for $name" >&2
    exit 1
  fi
  before=$(wc -c <"$file")
  case "$file" in
    *.js) "$bin/terser" "$file" --module --compress --mangle --output "$file.min" ;;
    *.css) "$bin/cleancss" -O1 --output "$file.min" "$file" ;;
  esac
  # `main-<16 hex>.css` → `main-<16 hex of the new content>.css`.
  renamed=$(printf '%s\n' "$name" | sed "s/-[0-9a-f]*\(\.[a-z]*\)\$/-$(digest sha256 hex "$file.min" | cut -c1-16)\1/")
  mv "$file.min" "$dir/$renamed"
  [ "$renamed" = "$name" ] || rm "$file"
  # Base64 holds '/' and '+', never '|'; a name holds '.', which matches itself too.
  sed -i -e "s|sha384-$old|sha384-$(digest sha384 base64 "$dir/$renamed")|g" \
    -e "s|/$name\"|/$renamed\"|g" "$dir/index.html"
  echo "minify.sh: $name $before → $renamed $(wc -c <"$dir/$renamed") bytes"
}

glue=0
for file in "$dir"/app-passwords-*.js "$dir"/*.css; do
  [ -f "$file" ] || continue
  case "$file" in *.js) glue=$((glue + 1)) ;; esac
  minify "$file"
done
if [ "$glue" -ne 1 ]; then
  echo "minify.sh: expected one app-passwords-*.js from wasm-bindgen in $dir, found $glue" >&2
  exit 1
fi

#!/usr/bin/env bash
# Vendor QEMU's QAPI inputs into vendor/qemu-VERSION/.
#
#   bash scripts/vendor-qemu.sh 10.0.2
#
# Downloads the original source tarball of Debian's `qemu` source package with
# a private apt configuration (own sources list, state and cache dirs under a
# temporary directory: the system's apt configuration and lists are untouched),
# checks its sha256 against the table below, and extracts only:
#   qapi/*.json, storage-daemon/qapi/qapi-schema.json, tests/qapi-schema/,
#   docs/devel/qapi-code-gen.rst, docs/interop/qmp-spec.rst, scripts/qapi/,
#   COPYING, COPYING.LIB, LICENSE
# then writes vendor/qemu-VERSION/README.md. An existing vendor/qemu-VERSION/
# is replaced as a whole.
set -euo pipefail

log() { printf 'vendor-qemu: %s\n' "$*"; }
die() { printf 'vendor-qemu: error: %s\n' "$*" >&2; exit 1; }

# VERSION -> Debian source version, suite carrying it, orig tarball sha256.
declare -A DEB_VERSION=(
    [10.0.2]='1:10.0.2+ds-2+deb13u1~bpo12+1'
    [7.2]='1:7.2+dfsg-7+deb12u18'
)
declare -A DEB_SUITE=(
    [10.0.2]='bookworm-backports'
    [7.2]='bookworm'
)
declare -A TARBALL_SHA256=(
    [10.0.2]='0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1'
    [7.2]='91aca71520040edc40b8d437aa3004dae614f58e286cf653ee8996c07af2962f'
)
# What to keep: `full` (schema, QAPI tests, docs, generator, licences) for the version the
# project is built on, `schema` (the schemas and the licences) for versions only read.
declare -A KEEP=(
    [10.0.2]='full'
    [7.2]='schema'
)

[[ $# -eq 1 ]] || die "usage: $0 VERSION   (known: ${!DEB_VERSION[*]})"
version=$1
[[ -n "${DEB_VERSION[$version]:-}" ]] ||
    die "unknown QEMU version '$version' (known: ${!DEB_VERSION[*]}); add its Debian version and tarball sha256 to the table in $0"
deb_version=${DEB_VERSION[$version]}
suite=${DEB_SUITE[$version]}
sha256=${TARBALL_SHA256[$version]}
upstream=${deb_version#*:}      # strip epoch: 10.0.2+ds-2+deb13u1~bpo12+1
upstream=${upstream%-*}         # strip Debian revision: 10.0.2+ds
tarball="qemu_${upstream}.orig.tar.xz"

for tool in apt-get sha256sum tar xz; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found"
done

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$repo_root/vendor/qemu-$version"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vendor-qemu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- private apt configuration -------------------------------------------
apt_dir="$tmp/apt"
mkdir -p "$apt_dir/etc/sources.list.d" "$apt_dir/etc/preferences.d" \
    "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/log"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r "$keyring" ]] || die "$keyring not found (package debian-archive-keyring)"
# The Debian archive this machine already uses (its main archive, not the security one).
archive=$(grep -rhoE '(URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)[a-z]+://[^[:space:]]+/debian/?([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    grep -oE '[a-z]+://[^[:space:]]+' | head -n1 || true)
[[ -n "$archive" ]] || die "no Debian archive found in /etc/apt/sources.list*; configure one first"
cat >"$apt_dir/etc/sources.list" <<EOF
deb-src [signed-by=$keyring] $archive $suite main
EOF
: >"$apt_dir/status"
cat >"$apt_dir/apt.conf" <<EOF
Dir::Etc::main "$apt_dir/apt.conf";
Dir::Etc::parts "$apt_dir/etc/apt.conf.d";
Dir::Etc::sourcelist "$apt_dir/etc/sources.list";
Dir::Etc::sourceparts "$apt_dir/etc/sources.list.d";
Dir::Etc::preferences "$apt_dir/etc/preferences";
Dir::Etc::preferencesparts "$apt_dir/etc/preferences.d";
Dir::State "$apt_dir/state";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir/cache";
Dir::Log "$apt_dir/log";
APT::Sandbox::User "root";
Acquire::Languages "none";
Acquire::IndexTargets::deb::Packages::DefaultEnabled "false";
EOF
mkdir -p "$apt_dir/etc/apt.conf.d"
export APT_CONFIG="$apt_dir/apt.conf"

log "apt-get update ($suite deb-src, private config in $apt_dir)"
apt-get -q update

log "apt-get source --download-only --tar-only qemu=$deb_version"
download="$tmp/download"
mkdir -p "$download"
(cd "$download" && apt-get -q source --download-only --tar-only "qemu=$deb_version")
[[ -f "$download/$tarball" ]] || die "expected $tarball, got: $(ls "$download")"

log "checking sha256 of $tarball"
actual=$(sha256sum "$download/$tarball" | cut -d' ' -f1)
[[ "$actual" == "$sha256" ]] ||
    die "sha256 mismatch for $tarball: expected $sha256, got $actual; refusing"

# --- extraction ------------------------------------------------------------
log "listing $tarball"
tar -tJf "$download/$tarball" >"$tmp/members"
top=$(head -n1 "$tmp/members" | cut -d/ -f1)
[[ -n "$top" ]] || die "empty tarball?"
# Regular files only (names not ending in /), under the paths we keep.
if [[ ${KEEP[$version]} == full ]]; then
    keep='qapi/[^/]+\.json|storage-daemon/qapi/qapi-schema\.json|tests/qapi-schema/.*[^/]|docs/devel/qapi-code-gen\.rst|docs/interop/qmp-spec\.rst|scripts/qapi/.*[^/]|COPYING|COPYING\.LIB|LICENSE'
    required=(qapi/qapi-schema.json storage-daemon/qapi/qapi-schema.json
        docs/devel/qapi-code-gen.rst docs/interop/qmp-spec.rst scripts/qapi/schema.py
        COPYING COPYING.LIB LICENSE)
else
    keep='qapi/[^/]+\.json|storage-daemon/qapi/qapi-schema\.json|COPYING|COPYING\.LIB|LICENSE'
    required=(qapi/qapi-schema.json COPYING COPYING.LIB LICENSE)
fi
grep -E "^${top}/(${keep})$" "$tmp/members" >"$tmp/wanted" || true
for required in "${required[@]}"; do
    grep -qxF "$top/$required" "$tmp/wanted" || die "$required not in $tarball"
done
log "extracting $(wc -l <"$tmp/wanted") files"
staging="$tmp/qemu-$version"
mkdir -p "$staging"
tar -xJf "$download/$tarball" -C "$staging" --strip-components=1 \
    --no-same-owner --no-same-permissions --verbatim-files-from -T "$tmp/wanted"
# Drop Python bytecode caches, should the tarball carry any.
find "$staging" -name __pycache__ -type d -prune -exec rm -rf {} +

n_events=$(cat "$staging"/qapi/*.json | grep -cE "^\{ *'event'" || true)
rows=''
title='schema, tests and docs'
[[ ${KEEP[$version]} == full ]] || title='schema'
if [[ -f "$staging/storage-daemon/qapi/qapi-schema.json" ]]; then
    rows+="| \`storage-daemon/qapi/qapi-schema.json\` | qemu-storage-daemon's schema (includes files from \`../../qapi/\`) |"$'\n'
fi
if [[ ${KEEP[$version]} == full ]]; then
    rows+="| \`tests/qapi-schema/\` | QEMU's own QAPI generator tests: \`X.json\`, expected error \`X.err\` (empty: accepted), expected output \`X.out\` |"$'\n'
    rows+="| \`docs/devel/qapi-code-gen.rst\` | the QAPI schema language |"$'\n'
    rows+="| \`docs/interop/qmp-spec.rst\` | the QMP wire protocol |"$'\n'
    rows+="| \`scripts/qapi/\` | QEMU's QAPI generator in Python (the oracle of \`scripts/qapi-oracle.py\`); \`from qapi.schema import QAPISchema\` reads a schema |"$'\n'
fi

cat >"$staging/README.md" <<EOF
# QEMU $version: $title

Extracted by \`scripts/vendor-qemu.sh $version\` from Debian's source package \`qemu\`
version \`$deb_version\` ($suite), file \`$tarball\`,
sha256 \`$sha256\`.
Only the paths below were kept; nothing was changed.

| path | what |
|---|---|
| \`qapi/*.json\` | the QMP schema (\`qapi-schema.json\` includes the rest)${n_events:+: $n_events event definitions} |
${rows}| \`COPYING\`, \`COPYING.LIB\`, \`LICENSE\` | QEMU's licence files |

## Licence

These files are QEMU's, not this project's. The schema files and the documentation
are GPL-2.0-or-later, as is most of QEMU; see \`LICENSE\` for how QEMU licenses its
parts, and \`COPYING\` (GPL-2.0) and \`COPYING.LIB\` (LGPL-2.1) for the texts.
Files with a licence header say so themselves (most of the generator in
\`scripts/qapi/\`, where kept, is GPL-2.0 only by its headers; \`backend.py\` and
\`main.py\` GPL-2.0-or-later). This project runs the generator only as a test
oracle; it does not link or ship it.
EOF

mkdir -p "$repo_root/vendor"
rm -rf "$dest"
mv "$staging" "$dest"
log "wrote $dest ($(du -sh "$dest" | cut -f1))"

#!/usr/bin/env bash
# Install QEMU 10.0 (system emulator for x86_64, utilities, SPICE module) from
# Debian bookworm-backports, for the live tests in tests/tests/live_qemu.rs.
#
# Debian 12's own qemu-system-x86 (7.2) conflicts with a qemu-utils 10.0 that may
# already be installed, so every package is pinned to bookworm-backports.
# Idempotent: when QEMU 10.x, its SPICE module and the qemu-utils tools the live tests
# use (qemu-img, qemu-storage-daemon) are present it returns at once.
# Runs as root (CI); no sudo.
set -euo pipefail

log() { printf 'install-qemu: %s\n' "$*"; }

spice_module_present() {
    compgen -G '/usr/lib/x86_64-linux-gnu/qemu/ui-spice-core.so' >/dev/null ||
        dpkg-query -W -f='${Status}' qemu-system-modules-spice 2>/dev/null | grep -q 'ok installed'
}

utils_present() {
    command -v qemu-img >/dev/null 2>&1 && command -v qemu-storage-daemon >/dev/null 2>&1
}

if command -v qemu-system-x86_64 >/dev/null 2>&1; then
    version_line="$(qemu-system-x86_64 --version | head -n1)"
    if [[ "$version_line" =~ version\ 10\. ]] && spice_module_present && utils_present; then
        log "already installed: $version_line (SPICE module, qemu-img, qemu-storage-daemon present); nothing to do"
        exit 0
    fi
    log "found '$version_line', or no SPICE module or qemu-utils tools; (re)installing from bookworm-backports"
fi

if [[ "$(id -u)" -ne 0 ]]; then
    log "must run as root" >&2
    exit 1
fi

sources=/etc/apt/sources.list.d/bookworm-backports.sources
if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "a bookworm-backports apt source is already configured"
else
    log "adding apt source $sources"
    cat >"$sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -q
packages=(qemu-system-x86 qemu-utils qemu-system-modules-spice)
log "apt-get install -t bookworm-backports ${packages[*]}"
apt-get install -y -q --no-install-recommends -t bookworm-backports "${packages[@]}"

log "installed: $(qemu-system-x86_64 --version | head -n1)"

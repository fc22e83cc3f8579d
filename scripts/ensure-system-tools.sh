#!/usr/bin/env bash
# Installs the system tools the tests use (promtool, amtool) when they are missing, from
# Debian's packages. Where that is impossible it says how to install them and fails.
set -euo pipefail

declare -A PACKAGE_OF=([promtool]=prometheus [amtool]=prometheus-alertmanager)
missing=()
for tool in "${!PACKAGE_OF[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "== installing ${missing[*]} (needed by the monitoring tests)"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    sudo_hint=""; [ "$(id -u)" -eq 0 ] || sudo_hint="sudo "
    echo "cannot install ${missing[*]} here; install them with: ${sudo_hint}apt-get update && ${sudo_hint}apt-get install -y ${missing[*]}" >&2
    exit 1
fi
for tool in "${!PACKAGE_OF[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is still missing after installing ${PACKAGE_OF[$tool]}; install it by hand: apt-get install -y ${PACKAGE_OF[$tool]}" >&2; exit 1; }
done

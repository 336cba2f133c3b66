#!/usr/bin/env bash
# Installs Debian's chromium package when it is missing (never a downloaded browser): the browser
# tests drive it through playwright-core. Needs root and apt-get; otherwise says what to install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: installing Debian's chromium" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "install-chromium: chromium is missing; install Debian's chromium package" >&2
  exit 3
fi

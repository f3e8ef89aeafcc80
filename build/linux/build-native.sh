#!/bin/bash
# Builds better-sqlite3 and better-sqlite3-multiple-ciphers for Electron's ABI against glibc 2.28 (Debian 10 "buster", the base of
# UOS 20), for the architecture of the machine it runs on. Run inside a debian:buster container on
# a native runner of each architecture (x64, arm64) — .github/workflows/desktop.yml does:
#
#   docker run --rm -v "$PWD:/w" -w /w -e HOST_UID="$(id -u)" -e HOST_GID="$(id -g)" \
#     debian:buster bash build/linux/build-native.sh
#
# Leaves node_modules/better-sqlite3/build/Release/better_sqlite3.node in place (owned by the
# caller) and checks it with scripts/check-native.mjs: the right architecture, GLIBC <= 2.28.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-20.19.5}"
case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64) ARCH=arm64 ;;
  *) echo "unsupported machine $(uname -m)" >&2; exit 2 ;;
esac

# Buster left the main mirrors in 2024; its packages live on archive.debian.org.
cat > /etc/apt/sources.list <<'LIST'
deb http://archive.debian.org/debian buster main
deb http://archive.debian.org/debian-security buster/updates main
LIST
apt-get -o Acquire::Check-Valid-Until=false update -qq
apt-get install -y -qq --no-install-recommends python3 make g++ curl ca-certificates xz-utils >/dev/null

curl -fsSL "https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz" | tar -xJ -C /opt
export PATH="/opt/node-v$NODE_VERSION-linux-$ARCH/bin:$PATH"
echo "glibc $(ldd --version | head -1 | awk '{print $NF}'), node $(node --version), $ARCH"

ROOT="$(pwd)"
ELECTRON_VERSION="$(node -p "require('./node_modules/electron/package.json').version")"
# better-sqlite3-multiple-ciphers: the encrypted store (electron/store/store-cipher.ts); better-sqlite3: the rest.
for MODULE in better-sqlite3 better-sqlite3-multiple-ciphers; do
  cd "node_modules/$MODULE"
  rm -rf build
  node ../node-gyp/bin/node-gyp.js rebuild --release \
    --runtime=electron --target="$ELECTRON_VERSION" --dist-url=https://electronjs.org/headers --arch="$ARCH"
  cd "$ROOT"
  node scripts/check-native.mjs "node_modules/$MODULE/build/Release/better_sqlite3.node" --arch "$ARCH" --max-glibc 2.28
done
if [ -n "${HOST_UID:-}" ]; then chown -R "$HOST_UID:${HOST_GID:-$HOST_UID}" node_modules/better-sqlite3; fi

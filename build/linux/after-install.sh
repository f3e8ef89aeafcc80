#!/bin/bash
# Post-install script of the 无证明办理工作台 .deb (electron-builder `deb.afterInstall`), replacing
# electron-builder's default one. It is a template: electron-builder fills in the two macros
# (executable, sanitizedProductName, in dollar-brace form) at build time, so every shell variable
# below is written WITHOUT braces.
#
# The difference from the default: chrome-sandbox is ALWAYS made root-owned and setuid (4755).
# The default makes it 0755 whenever `unshare --user true` succeeds — which it does for root in
# dpkg even where unprivileged user namespaces are off for the clerk (Debian 10-based UOS 20,
# kernel.unprivileged_userns_clone=0) — and Chromium then refuses to start ("The SUID sandbox
# helper binary was found, but is not configured correctly"). With the SUID helper in place the
# sandbox works with or without user namespaces.
#
# DPKG_ROOT is set by dpkg (empty for a normal install; the target root for `dpkg --root`).
set -e

APP_DIR="$DPKG_ROOT/opt/${sanitizedProductName}"
EXE='${executable}'
TARGET="/opt/${sanitizedProductName}/$EXE"
LINK="$DPKG_ROOT/usr/bin/$EXE"

if type update-alternatives >/dev/null 2>&1 && [ -z "$DPKG_ROOT" ]; then
    # Remove a previous link that does not use update-alternatives.
    if [ -L "$LINK" ] && [ -e "$LINK" ] && [ "$(readlink "$LINK")" != "/etc/alternatives/$EXE" ]; then
        rm -f "$LINK"
    fi
    update-alternatives --install "$LINK" "$EXE" "$TARGET" 100 || ln -sf "$TARGET" "$LINK"
else
    ln -sf "$TARGET" "$LINK"
fi

# The Chromium sandbox helper: root-owned, setuid, whatever unshare says.
chown root:root "$APP_DIR/chrome-sandbox"
chmod 4755 "$APP_DIR/chrome-sandbox"

if hash update-mime-database 2>/dev/null; then
    update-mime-database "$DPKG_ROOT/usr/share/mime" || true
fi
if hash update-desktop-database 2>/dev/null; then
    update-desktop-database "$DPKG_ROOT/usr/share/applications" || true
fi

# AppArmor profile (Ubuntu 24+), as electron-builder's default script installs it; skipped where
# AppArmor is off or too old for the profile (UOS, Kylin, Ubuntu 22.04).
if apparmor_status --enabled >/dev/null 2>&1; then
    PROFILE_SOURCE="$APP_DIR/resources/apparmor-profile"
    PROFILE_TARGET="$DPKG_ROOT/etc/apparmor.d/$EXE"
    if [ -f "$PROFILE_SOURCE" ] && apparmor_parser --skip-kernel-load --debug "$PROFILE_SOURCE" >/dev/null 2>&1; then
        cp -f "$PROFILE_SOURCE" "$PROFILE_TARGET"
        if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
            apparmor_parser --replace --write-cache --skip-read-cache "$PROFILE_TARGET" || true
        fi
    else
        echo "Skipping the AppArmor profile: this AppArmor does not support it"
    fi
fi
exit 0

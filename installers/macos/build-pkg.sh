#!/bin/sh
# Builds devidence-<version>.pkg on a Mac from a universal (or per-arch) release binary:
#   cargo build --release -p devidence --features screenshot --target aarch64-apple-darwin
#   cargo build --release -p devidence --features screenshot --target x86_64-apple-darwin
#   lipo -create -output devidence target/*-apple-darwin/release/devidence
#   installers/macos/build-pkg.sh ./devidence 0.1.0
# Sign with --sign "Developer ID Installer: …" and notarize before deploying.
set -eu
binary=$1
version=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
install -d "$root/usr/local/bin" "$root/Library/LaunchDaemons" "$root/usr/local/share/devidence"
install -m 755 "$binary" "$root/usr/local/bin/devidence"
install -m 644 "$here/com.devidence.agent.plist" "$root/Library/LaunchDaemons/"
install -m 644 "$here/../config.example.toml" "$root/usr/local/share/devidence/"
install -m 755 "$here/uninstall.sh" "$root/usr/local/share/devidence/"
pkgbuild --root "$root" --scripts "$here/scripts" --identifier com.devidence.agent \
    --version "$version" --install-location / devidence-component.pkg
productbuild --package devidence-component.pkg "devidence-$version.pkg"
rm -rf "$root" devidence-component.pkg

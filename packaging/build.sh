#!/usr/bin/env bash
# Build the PolicyTrack bundle with PyInstaller (build_installer.spec), then wrap it in a .deb with dpkg-deb.
#
#   packaging/build.sh                    bundle in dist/policytrack/, package in dist/policytrack_<ver>_<arch>.deb
#   packaging/build.sh --bundle-only      stop after the bundle
#   packaging/build.sh --bundle DIR       package an already built bundle instead of running PyInstaller
#   packaging/build.sh --out DIR          put the .deb (and a fresh bundle) in DIR instead of dist/
#   packaging/build.sh --fast             gzip -1 instead of xz -6 (quicker, larger; for tests)
#
# Needs: Python with the project's dependencies and PyInstaller, binutils, dpkg-dev (dpkg-shlibdeps computes the
# Depends line from the libraries the bundle links against, so those libraries must be installed here), and
# the Qt xcb libraries (see README, "Installer"). Build on the oldest distribution you target: the bundle needs
# a glibc at least as new as the build machine's.
#
# The package installs the bundle in /opt/policytrack, links /usr/bin/policytrack to it, and adds a desktop entry
# (政策跟踪) and icons. It holds no data: each user's database lives in ~/.local/share/PolicyTrack/, which
# installing, upgrading and removing the package never touch.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
OUT="$ROOT/dist"
BUNDLE=""
BUNDLE_ONLY=0
COMPRESS=(-Zxz -z6)

while [ $# -gt 0 ]; do
    case "$1" in
        --bundle) BUNDLE=$(cd "$2" && pwd); shift 2 ;;
        --bundle-only) BUNDLE_ONLY=1; shift ;;
        --out) mkdir -p "$2"; OUT=$(cd "$2" && pwd); shift 2 ;;
        --fast) COMPRESS=(-Zgzip -z1); shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "build.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- 1. the bundle ------------------------------------------------------------------------------------------------
if [ -z "$BUNDLE" ]; then
    start=$(now)
    work="$OUT/pyinstaller-work"
    rm -rf "$work" "$OUT/policytrack"
    (cd "$ROOT" && "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
        --distpath "$OUT" --workpath "$work" build_installer.spec)
    rm -rf "$work"
    BUNDLE="$OUT/policytrack"
    echo "bundle: $BUNDLE  $(du -sh "$BUNDLE" | cut -f1)  built in $(seconds_since "$start") s"
fi
[ -x "$BUNDLE/policytrack" ] || { echo "build.sh: no executable at $BUNDLE/policytrack" >&2; exit 1; }
[ "$BUNDLE_ONLY" -eq 1 ] && exit 0

# --- 2. the .deb --------------------------------------------------------------------------------------------------
for tool in dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done
start=$(now)
# The version is the one inside the bundle (desktop.__version__), so the package can never disagree with it.
VERSION=$(QT_QPA_PLATFORM=offscreen "$BUNDLE/policytrack" --version | awk '{print $NF}')
ARCH=$(dpkg --print-architecture)
TRIPLET=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
DEB="$OUT/policytrack_${VERSION}_${ARCH}.deb"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage="$tmp/stage"
mkdir -p "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" "$stage/DEBIAN"
cp -a "$BUNDLE" "$stage/opt/policytrack"
ln -s /opt/policytrack/policytrack "$stage/usr/bin/policytrack"

# Shared libraries PyInstaller copied from this system are byte-identical to the distribution's: ship none of
# them and depend on their packages instead, so they get the distribution's security updates (OpenSSL, GnuTLS,
# SQLite, fontconfig) and match the running desktop (X11, D-Bus, CUPS).
internal="$stage/opt/policytrack/_internal"
dropped=0
for lib in "$internal"/*.so*; do
    [ -f "$lib" ] && [ ! -L "$lib" ] || continue
    name=$(basename "$lib")
    # PyInstaller's bootloader opens _internal/libpython*.so by its path (no ELF dependency names it), so it
    # stays even when it equals the distribution's (Debian's own python3: package libpython3.X).
    case "$name" in libpython*) continue ;; esac
    for dir in "/usr/lib/$TRIPLET" "/lib/$TRIPLET"; do
        if [ -f "$dir/$name" ] && cmp -s "$lib" "$dir/$name" && dpkg -S "$dir/$name" >/dev/null 2>&1; then
            rm "$lib"
            dropped=$((dropped + 1))
            break
        fi
    done
done

# Depends: what the remaining binaries link against outside the bundle, with versions, from dpkg's shlibs data.
mkdir -p "$tmp/debian"
printf 'Source: policytrack\n\nPackage: policytrack\nArchitecture: any\n' > "$tmp/debian/control"
mapfile -t elves < <(find "$stage/opt/policytrack" -type f \( -name '*.so*' -o -path '*/policytrack/policytrack' \) \
    -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
private_dirs=$(find "$stage/opt/policytrack" -type d | sed 's/^/-l/' | tr '\n' ' ')
# shellcheck disable=SC2086  # one -l per folder of private libraries
shlibs=$(cd "$tmp" && dpkg-shlibdeps -O --ignore-missing-info $private_dirs -S"$stage" "${elves[@]}" 2>"$tmp/shlibdeps.err" \
    | sed -n 's/^shlibs:Depends=//p') || { cat "$tmp/shlibdeps.err" >&2; exit 1; }
grep -v -E "warning: (binaries to analyze should already be|package could avoid a useless dependency|.* contains an unresolvable reference to symbol)|^dpkg-shlibdeps: warning: [0-9]+ other similar warnings" \
    "$tmp/shlibdeps.err" >&2 || true
[ -n "$shlibs" ] || { echo "build.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cp "$ROOT/packaging/linux/policytrack.desktop" "$stage/usr/share/applications/policytrack.desktop"
for size in 16 24 32 48 64 128 256; do
    install -D -m 644 "$ROOT/resources/icons/policytrack-$size.png" \
        "$stage/usr/share/icons/hicolor/${size}x${size}/apps/policytrack.png"
done
install -D -m 644 "$ROOT/resources/icons/policytrack.svg" "$stage/usr/share/icons/hicolor/scalable/apps/policytrack.svg"
install -D -m 644 "$ROOT/packaging/linux/copyright" "$stage/usr/share/doc/policytrack/copyright"

chmod -R u+rwX,go+rX,go-w "$stage"
installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
    -e "s/@DEPENDS@/$shlibs/" "$ROOT/packaging/linux/control.in" > "$stage/DEBIAN/control"

rm -f "$DEB"
dpkg-deb --root-owner-group "${COMPRESS[@]}" --build "$stage" "$DEB" >/dev/null
echo "deb: $DEB  $(du -h "$DEB" | cut -f1)  (installed $((installed_kb / 1024)) MiB; $dropped system libraries left to Depends)  built in $(seconds_since "$start") s"

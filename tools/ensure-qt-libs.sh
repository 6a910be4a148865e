#!/usr/bin/env bash
# Qt's platform plugins load system libraries that a bare Debian/Ubuntu machine may lack.
# Usage: tools/ensure-qt-libs.sh offscreen|xcb. Installs what is missing when it can
# (root with apt-get); otherwise prints the apt-get command to run and carries on.
set -u
mode=${1:-offscreen}
needs=(libEGL.so.1:libegl1 libGL.so.1:libgl1 libfontconfig.so.1:libfontconfig1
       libxkbcommon.so.0:libxkbcommon0 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0)
if [ "$mode" = xcb ]; then
    needs+=(libxcb-cursor.so.0:libxcb-cursor0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0
            libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-randr.so.0:libxcb-randr0
            libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0
            libxcb-xkb.so.1:libxcb-xkb1 libxkbcommon-x11.so.0:libxkbcommon-x11-0 libX11-xcb.so.1:libx11-xcb1)
fi
missing=()
for pair in "${needs[@]}"; do
    ldconfig -p 2>/dev/null | grep -q "${pair%%:*}" || missing+=("${pair##*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing Qt's system libraries: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "Qt may need these system packages: sudo apt-get install ${missing[*]}" >&2
fi
exit 0

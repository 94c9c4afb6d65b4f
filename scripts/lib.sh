# Shared by scripts/dev and scripts/test: installing what is missing, finding free ports and
# running a local Mosquitto. Every install step checks first, so running it again is quick.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRUNK_VERSION=0.21.14
# Debian's own binaryen is too old (its wasm-opt breaks the app silently); npm's is pinned in
# package.json and Trunk.toml.
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;33m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
ensure_apt_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -qq || die "apt-get update failed"
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "could not install ${missing[*]}"
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# ensure_cargo_tool BINARY CRATE VERSION [cargo install flags...]
ensure_cargo_tool() {
    local bin=$1 crate=$2 version=$3
    shift 3
    if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -qF " $version"; then
        return 0
    fi
    say "installing $crate $version (a one-time build of several minutes)"
    cargo install --quiet "$@" "$crate" --version "$version" || die "cargo install $crate $version failed"
}

ensure_node_modules() {
    command -v npm >/dev/null || ensure_apt_packages nodejs npm
    local stamp="$ROOT/node_modules/.lamplighter-lock"
    if [ -f "$stamp" ] && cmp -s "$ROOT/package-lock.json" "$stamp"; then
        return 0
    fi
    say "installing npm packages (wasm-opt, playwright-core, MQTT.js for the benchmark)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    cp "$ROOT/package-lock.json" "$stamp"
}

# Everything needed to build and serve the app and run the local broker.
ensure_build_tools() {
    command -v cargo >/dev/null || die "Rust is not installed: see https://rustup.rs, then run this again"
    ensure_apt_packages mosquitto mosquitto-clients python3 ca-certificates
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown >/dev/null; }
    ensure_node_modules
    ensure_cargo_tool trunk trunk "$TRUNK_VERSION" --locked
    ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "$(wasm_bindgen_version)"
}

# Release builds of the app build their own standard library with a nightly toolchain, where
# the machine has one with its library source (rust-src): compiled for size, and with panics
# that stop the wasm at once instead of formatting a message that a page cannot show anyway.
# That takes about 25 KB off the gzipped download. Without such a toolchain the release build
# uses the stable one and its prebuilt standard library: the same app, somewhat larger. Only the
# release build of the static site changes; tests, clippy and `trunk serve` use stable.
# size_optimised_std: whether this machine can build the standard library for size (a nightly
# toolchain with rust-src).
size_optimised_std() {
    local sysroot
    sysroot=$(rustup run nightly rustc --print sysroot 2>/dev/null) \
        && [ -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ]
}

release_build_env() {
    if size_optimised_std; then
        export RUSTUP_TOOLCHAIN=nightly
        export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
        export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
        # Replaces the target's rustflags of .cargo/config.toml, so it repeats them.
        export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg=erase_components -Zunstable-options -Cpanic=immediate-abort"
        # Its own target directory, so that stable and nightly builds do not replace each
        # other's artifacts.
        export CARGO_TARGET_DIR="$ROOT/target/release-site"
        say "release build: $(rustc --version), standard library built for size"
    else
        say "release build: no nightly toolchain with rust-src here, so the stable standard library (a larger wasm)"
    fi
}

# release_build TRUNK_ARGS...: `trunk build --release` in the release build's environment, which
# stays in a subshell.
release_build() (
    release_build_env
    exec trunk --skip-version-check build "$@" --release
)

# Everything the tests need on top: the browser and its WebDriver, and the linters.
ensure_test_tools() {
    ensure_build_tools
    ensure_apt_packages chromium chromium-driver
    rustup component list --installed | grep -q '^clippy' || rustup component add clippy
    rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
}

# port_is_free PORT [ADDRESS]
port_is_free() {
    python3 - "$1" "${2:-127.0.0.1}" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind((sys.argv[2], int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

# free_port [PREFERRED [ADDRESS]]: the preferred port if it is free, else one the kernel picks.
free_port() {
    local preferred=${1:-0} address=${2:-127.0.0.1}
    if [ "$preferred" != 0 ] && port_is_free "$preferred" "$address"; then
        echo "$preferred"
        return
    fi
    python3 - "$address" <<'PY'
import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
print(s.getsockname()[1])
PY
}

# wait_for_port PORT SECONDS: true once something accepts connections on 127.0.0.1:PORT.
wait_for_port() {
    local port=$1 deadline=$((SECONDS + $2))
    while [ $SECONDS -lt $deadline ]; do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# start_mosquitto RUN_DIR TCP_PORT WS_PORT [lan]: runs a broker from config/mosquitto.conf.in
# and sets MOSQUITTO_PID. On loopback only, unless "lan" asks for the WebSocket listener on all
# interfaces (the TCP listener always stays on loopback).
start_mosquitto() {
    local run_dir=$1 tcp_port=$2 ws_port=$3 scope=${4:-loopback} ws_bind="bind_interface lo"
    [ "$scope" = lan ] && ws_bind="# listening on all interfaces (scripts/dev --lan)"
    mkdir -p "$run_dir"
    sed -e "s|@USER@|$(id -un)|" -e "s|@RUN_DIR@|$run_dir|g" \
        -e "s|@TCP_PORT@|$tcp_port|" -e "s|@TCP_ADDRESS@|127.0.0.1|" \
        -e "s|@WS_PORT@|$ws_port|" -e "s|@WS_BIND@|$ws_bind|" \
        "$ROOT/config/mosquitto.conf.in" >"$run_dir/mosquitto.conf"
    setsid mosquitto -c "$run_dir/mosquitto.conf" >>"$run_dir/mosquitto.out" 2>&1 &
    MOSQUITTO_PID=$!
    if ! wait_for_port "$tcp_port" 10 || ! wait_for_port "$ws_port" 10; then
        cat "$run_dir/mosquitto.out" "$run_dir/mosquitto.log" >&2 2>/dev/null
        die "Mosquitto did not start (config: $run_dir/mosquitto.conf)"
    fi
}

# Long-running helpers are started with `setsid CMD &`, each in a process group of its own, so
# that stopping one also stops whatever it started (trunk's cargo builds, say).
# stop_pid PID: TERM to its group, then KILL if it lingers; quiet if it is already gone.
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

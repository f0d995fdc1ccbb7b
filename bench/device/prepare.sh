#!/usr/bin/env bash
# Packs what bench/device/run.sh needs on a lent GPU machine, which has no Deno, no Vulkan loader
# and no network, into .device/ (which .gitignore and deno.json exclude):
#   .device/deno.xz  the pinned Deno (.dvmrc), xz-compressed;
#   .device/debs/    Debian's Vulkan loader (libvulkan1) and the GL dispatch libraries that
#                    NVIDIA's Vulkan driver (libGLX_nvidia.so.0) loads, unpacked there by run.sh.
# With --baseline REV it also exports commit REV's tree into .device/baseline/, for run.sh's
# `compare` step (carry ".device/baseline" too).
# With --lavapipe it also unpacks Mesa's Vulkan software driver into .device/lavapipe/, so that
# `bench/device/run.sh --lavapipe` rehearses the whole device check here, through the same Vulkan
# path (WGSL to SPIR-V) that a hardware GPU takes.
#
# Run from anywhere: bash bench/device/prepare.sh [--lavapipe] [--baseline REV]
set -euo pipefail
cd "$(dirname "$0")/../.."

lavapipe=false
baseline=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lavapipe) lavapipe=true ;;
    --baseline)
      baseline=${2:-}
      shift
      if ! git rev-parse --verify --quiet "${baseline:-none}^{commit}" >/dev/null; then
        echo "prepare.sh: --baseline needs a commit, e.g. --baseline HEAD~1 (got '$baseline')" >&2
        exit 2
      fi
      ;;
    *)
      echo "prepare.sh: unknown option: $1 (valid: --lavapipe, --baseline REV)" >&2
      exit 2
      ;;
  esac
  shift
done

version=$(tr -d '[:space:]' <.dvmrc)
deno_path=$(command -v deno || true)
if [ -z "$deno_path" ] || ! deno --version | head -n 1 | grep -qx "deno $version.*"; then
  echo "prepare.sh: cannot pack Deno: deno $version is not on PATH (install it with" \
    "npm install -g deno@$version)" >&2
  exit 1
fi

mkdir -p .device/debs

if [ ! -s .device/deno.xz ] || [ "$(cat .device/deno.version 2>/dev/null)" != "$version" ]; then
  echo "packing deno $version from $(readlink -f "$deno_path")"
  xz -T0 -6 -c "$(readlink -f "$deno_path")" >.device/deno.xz.tmp
  mv .device/deno.xz.tmp .device/deno.xz
  echo "$version" >.device/deno.version
fi

# apt-get's lists go to a scratch folder, so that this machine's own package state is untouched.
lists=$(mktemp -d)
trap 'rm -rf "$lists"' EXIT
mkdir -p "$lists/partial"
apt=(apt-get -qq -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
quietly() { # runs a command, printing its output only when it fails
  local output
  output=$("$@" 2>&1) || {
    echo "prepare.sh: failed: $*: $output" >&2
    return 1
  }
}
download() { # download FOLDER PACKAGE
  (cd "$1" && quietly "${apt[@]}" download "$2")
}
quietly "${apt[@]}" update
rm -rf .device/debs
mkdir -p .device/debs
# With the loader alone, the Vulkan loader could not get vkCreateInstance from the NVIDIA driver
# and WebGPU saw no adapter (on the first lent H100); these GL libraries (glvnd) fixed it.
for package in libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libgles2 libopengl0; do
  download .device/debs "$package"
done

if $lavapipe; then
  # The software driver stays here: only the loader travels to the device machine.
  rm -rf .device/lavapipe
  mkdir -p .device/lavapipe/debs
  download .device/lavapipe/debs mesa-vulkan-drivers
  for deb in .device/debs/libvulkan1_*.deb .device/lavapipe/debs/*.deb; do
    dpkg -x "$deb" .device/lavapipe
  done
  root=$(pwd)/.device/lavapipe
  cat >.device/lavapipe/lvp_icd.json <<EOF
{
  "file_format_version": "1.0.0",
  "ICD": {
    "library_path": "$root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so",
    "api_version": "1.1.230"
  }
}
EOF
fi

if [ -n "$baseline" ]; then
  rm -rf .device/baseline
  mkdir -p .device/baseline
  git archive "$baseline" | tar -x -C .device/baseline
  git rev-parse --short "$baseline" >.device/baseline/REVISION
  echo "baseline: $(cat .device/baseline/REVISION) in .device/baseline (carry it too)"
fi

ls -l .device/deno.xz .device/debs
echo "ready: device run with carry [\".device/deno.xz\", \".device/debs\"]" \
  "and command: bash bench/device/run.sh"

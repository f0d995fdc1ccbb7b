#!/usr/bin/env bash
# The hardware check of issue 3 as one prepared script, for one `run` call of the device tool
# (a lent GPU machine: no Deno, no Vulkan loader, no network). Prepare here first with
# bench/device/prepare.sh, then run there with carry [".device/deno.xz", ".device/debs"] and
# command `bash bench/device/run.sh`, timeout_s 600.
#
# Steps, most wanted first, each under its own time limit (530 s of limits for the default steps,
# plus up to 10 s per step to stop one that overruns and the setup: give the call timeout_s 600;
# `parts` and `compare`, 90 s each, run only when --steps names them):
#   adapter     the adapter WebGPU picks; a software one ends the check (unless --lavapipe)
#   throughput  bench/gpu_throughput.ts at batch 1, 8, 32 and 128 (targets: 250 and 5,000 seq/s)
#   kernels     bench/gpu_ntm_bench.ts, webgpu only: the fused forward, the fused backward and a
#               whole training step, so a missed target shows where the time goes
#   agreement   bench/device/loss_agreement.ts: webgpu against cpu losses at the default size
#   lanes       the throughput at batch 1 and 32 with 64, 256 and 512 lanes per batch row (default
#               128)
#   copy        `--backend auto` training of the copy task, seed 10, stopped after its time limit
#   tests       the whole suite (deno task test) on the hardware adapter
#   verify      deno task verify-reference --backend webgpu on every fixture
#   parts       the throughput at batch 1 and 32 with one part of the model shrunk at a time
#               (memory rows, memory width, controller, sequence length) or a second head pair:
#               where the time of a batch goes
#   compare     the throughput at batch 1, 32 and 128 of .device/baseline (prepare.sh --baseline
#               REV) and of this tree, alternating, three rounds: a change's speed-up
# It prints a table of the steps at the end and writes everything to $OUT/device.log.
# `--steps throughput,tests` runs only the steps named (after the adapter), for a second call.
#
# `bash bench/device/run.sh --lavapipe` rehearses it here on Mesa's Vulkan software driver
# (after `bench/device/prepare.sh --lavapipe`), through the same WGSL-to-SPIR-V path as a GPU.
set -uo pipefail
cd "$(dirname "$0")/../.."

default_steps="throughput kernels agreement lanes copy tests verify"
all_steps="$default_steps parts compare"
lavapipe=false
chosen=" $default_steps "
while [ $# -gt 0 ]; do
  case "$1" in
    --lavapipe) lavapipe=true ;;
    --steps)
      chosen=${2:-}
      shift
      if [ -z "$chosen" ]; then
        echo "run.sh: --steps needs a list, e.g. --steps throughput,tests" >&2
        exit 2
      fi
      for name in ${chosen//,/ }; do
        if ! [[ " $all_steps " == *" $name "* ]]; then
          echo "run.sh: unknown step: '$name' (valid: ${all_steps// /, })" >&2
          exit 2
        fi
      done
      chosen=" ${chosen//,/ } "
      ;;
    *)
      echo "run.sh: unknown option: $1 (valid: --lavapipe, --steps NAME,...)" >&2
      exit 2
      ;;
  esac
  shift
done

if [[ " $chosen " == *" compare "* ]] && [ ! -s .device/baseline/REVISION ]; then
  echo "run.sh: cannot compare: .device/baseline is missing (run prepare.sh --baseline REV here" \
    "and carry .device/baseline)" >&2
  exit 2
fi

out=${OUT:-$(mktemp -d)}
exec > >(tee "$out/device.log") 2>&1
echo "log: $out/device.log"

scratch=$(mktemp -d)
if [ ! -s .device/deno.xz ]; then
  echo "run.sh: cannot start: .device/deno.xz is missing (run bench/device/prepare.sh here," \
    "then name .device/deno.xz and .device/debs in the run call's carry)"
  exit 1
fi
xz -dc .device/deno.xz >"$scratch/deno" && chmod +x "$scratch/deno"
export PATH="$scratch:$PATH" DENO_DIR="$scratch/cache" NO_COLOR=1
deno --version | head -n 1

if $lavapipe; then
  export LD_LIBRARY_PATH="$PWD/.device/lavapipe/usr/lib/x86_64-linux-gnu"
  export VK_ICD_FILENAMES="$PWD/.device/lavapipe/lvp_icd.json"
else
  # The Vulkan loader and the GL dispatch libraries NVIDIA's Vulkan driver loads go into /, as
  # the device tool's README advises.
  for deb in .device/debs/*.deb; do dpkg -x "$deb" /; done
  ldconfig
  nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -f "$nvidia_icd" ] && ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json \
    >/dev/null 2>&1; then
    export VK_DRIVER_FILES="$nvidia_icd"
  fi
  command -v nvidia-smi >/dev/null &&
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
fi

summary=()
step() { # step NAME SECONDS COMMAND...: runs COMMAND under a time limit and records the outcome
  local name=$1 seconds=$2
  shift 2
  if [ "$name" != adapter ] && ! [[ " $chosen " == *" $name "* ]]; then return 0; fi
  echo
  echo "=== $name: $* (limit ${seconds}s)"
  local start=$SECONDS
  timeout -k 10 -s INT "$seconds" "$@"
  local status=$?
  summary+=("| $name | $status | $((SECONDS - start)) |")
  return "$status"
}
print_summary() {
  echo
  echo "| step | exit status | seconds |"
  echo "| ---- | ----------: | ------: |"
  printf '%s\n' "${summary[@]}"
}
trap print_summary EXIT

cat >"$scratch/adapter.ts" <<'EOF'
const adapter = await navigator.gpu.requestAdapter();
if (!adapter) {
  console.log("no WebGPU adapter");
  Deno.exit(1);
}
const { description, vendor, architecture, isFallbackAdapter } = adapter.info;
console.log({ description, vendor, architecture, isFallbackAdapter });
const { maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupStorageSize } = adapter.limits;
console.log({ maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupStorageSize });
Deno.exit(isFallbackAdapter || /llvmpipe|lavapipe|swiftshader/i.test(description) ? 3 : 0);
EOF
step adapter 30 deno run -A "$scratch/adapter.ts"
adapter_status=$?
if [ "$adapter_status" -ne 0 ] && ! { $lavapipe && [ "$adapter_status" -eq 3 ]; }; then
  echo "run.sh: stopping: no hardware adapter (status $adapter_status)"
  exit 1
fi

step throughput 60 deno run -A bench/gpu_throughput.ts --sizes 1,8,32,128
step kernels 40 deno bench -A --filter webgpu bench/gpu_ntm_bench.ts
step agreement 40 deno run -A bench/device/loss_agreement.ts --sizes 1,32
step lanes 40 bash -c 'for lanes in 64 256 512; do
  deno run -A bench/gpu_throughput.ts --sizes 1,32 --workgroup-size "$lanes" | sed "s/^/$lanes lanes: /"
done'
step copy 80 deno run -A tasks/copy.ts --seed 10 --backend auto -p num_batches=20000 \
  --report-interval 1000 --checkpoint-interval 0
step tests 200 deno task test
step verify 40 deno task verify-reference --backend webgpu tests/fixtures/*.safetensors
step compare 90 bash -c 'for round in 1 2 3; do
  for tree in .device/baseline .; do
    label=$( [ "$tree" = . ] && echo "this tree" || echo "baseline $(cat .device/baseline/REVISION)")
    deno run -A "$tree/bench/gpu_throughput.ts" --sizes 1,32,128 --batches 100 |
      grep "^| [0-9]" | sed "s/^/round $round, $label: /"
  done
done'
step parts 90 bash -c 'for params in "" memory_n=16 memory_m=4 controller_size=20 \
  sequence_max_len=5 num_heads=2; do
  deno run -A bench/gpu_throughput.ts --sizes 1,32 --batches 100 --params "$params" | grep -v "^| -"
done'
exit 0

#!/usr/bin/env bash
# benches/attack.sh: a repeatable attack run against a gpuctl binary (issue 13, hardening).
#
# Usage:  benches/attack.sh [GPUCTL_BINARY] [SECONDS]
#           GPUCTL_BINARY  default target/release/gpuctl (build it first: cargo build --release)
#           SECONDS        length of the concurrency phase, default 30
#         KEEP=1 benches/attack.sh ...   keeps the work directory (its path is printed) for a look
#         KILLS=N                        number of kill iterations (default 50)
#
# Needs only bash, coreutils, sqlite3 and the binary. Everything happens in a fresh mktemp
# directory; the user's store and GPUCTL_DB/GPUCTL_NOW are never touched. Runtime: about
# SECONDS + 1-2 minutes.
#
# Three phases, then a summary of figures:
#
# 1. Concurrency. 8 processes work on ONE store for SECONDS: three collectors, each replaying
#    an nvidia-smi CSV as its own node; two allocators racing to lease the same four GPUs
#    (`alloc create --device UUID --for 1m`, exit 4 expected when the other one won); a releaser
#    ending random active leases; a node writer (`node add`, `node update`, `node set-status`);
#    a reader (`node list`, `dashboard stats -o json`, `alloc list`, `device list`). Every run's
#    exit code is counted per kind. Failures: "database is locked", a panic (exit 101 or
#    'panicked'), any exit other than the expected ones, a device with two active leases,
#    PRAGMA integrity_check not ok, and lost writes (successful runs that left no row/event:
#    alloc create vs allocations rows, alloc release vs released rows, collect vs collect.run
#    events of its node, node add vs nodes).
#
# 2. Kills. KILLS iterations, each a writer killed with SIGKILL after a random 5-300 ms: collect
#    replay of a large CSV, demo into a fresh store, node import of a generated 400-node kubectl
#    JSON, db prune, db vacuum, db backup, alloc create. Afterwards a gpuctl read must succeed,
#    PRAGMA integrity_check must be ok, the interrupted operation run again must succeed (demo on
#    the same path, backup to the same target when the target is absent), a backup target that
#    exists must be a whole copy, and a killed collect must not have stored samples without its
#    collect.run event (a partial run). A store meeting all of these counts as intact.
#
# 3. Bad input. A list of bad inputs (flag values, 100 kB strings, control characters, bad
#    UUIDs, out-of-range and malformed CSV, malformed kubectl JSON, /dev/zero with a timeout
#    guard, absurd durations and page numbers, --db pointing at /dev/null, /dev/full, a
#    directory, a FIFO, a dangling symlink, a foreign SQLite file, a truncated store). For each
#    case: exit code; panics/crashes (exit 101, 'panicked', killed by a signal); hangs (timeout);
#    stderr longer than an error line plus a hint line, or over 1 KiB; a failing command that
#    changed the store (sha256 of `sqlite3 .dump` before/after); a raw ESC or BEL byte in
#    stdout/stderr (tables are asked for with --color never, so every ESC is hostile text that
#    got through); bad inputs expected to be refused that were accepted; refusals with exit 1
#    (runtime failure) where a usage/not-found/conflict/store code was due. Since gpuctl refuses
#    control characters on input, ESC/BEL/CR/LF are then planted with sqlite3 into every text
#    column of a copy of the store (as an older gpuctl or another writer could have left them)
#    and every view (node list/show/history/recent, device, model, dashboard, alloc, alert,
#    report, doctor, JSON) is checked for raw ESC/BEL.
#    Findings that break no hard rule (long errors, questionable input accepted, exit 1 refusals,
#    backup temp files left by a SIGKILL) are printed as NOTES and do not fail the run.
#
# Exit status: 0 when every check held, 1 when any defect was found (details in the summary and,
# with KEEP=1, in the work directory).

set -euo pipefail

BIN=${1:-target/release/gpuctl}
DUR=${2:-30}
KILLS=${KILLS:-50}
[[ -x $BIN ]] || { echo "attack.sh: no executable gpuctl binary at '$BIN' (cargo build --release)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "attack.sh: sqlite3 is needed" >&2; exit 2; }
BIN=$(realpath "$BIN")
unset GPUCTL_DB GPUCTL_NOW
export NO_COLOR=1 COLUMNS=200

W=$(mktemp -d "${TMPDIR:-/tmp}/gpuctl-attack.XXXXXX")
cleanup() {
    local p
    for p in $(jobs -p); do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ ${KEEP:-0} == 1 ]]; then echo "work directory kept: $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
cd "$W"
g() { "$BIN" "$@"; }                       # gpuctl
now() { date +%s; }
has() { [[ $(head -c 2000000 "$1") == *"$2"* ]]; }   # file contains text
ctl_bytes() { tr -dc '\033\007' <"$1" | wc -c; }      # raw ESC/BEL bytes in a file
# a store's content; a failed collect records itself in settings collect.last_* (for the health
# series), which is not counted as a change
dump_hash() {
    sqlite3 "$1" .dump 2>&1 | while IFS= read -r l; do
        if [[ $l != "INSERT INTO settings VALUES('collect.last_"* ]]; then printf '%s\n' "$l"; fi
    done | sha256sum | cut -c1-64
}
integrity() { sqlite3 "$1" "PRAGMA integrity_check" 2>&1 | head -c 200; }
DEFECTS=0
defect() { DEFECTS=$((DEFECTS + 1)); printf 'DEFECT: %s\n' "$*" >>"$W/defects.txt"; }
NOTES=0   # findings that break no hard rule (long errors, questionable input accepted)
note() { NOTES=$((NOTES + 1)); printf 'NOTE: %s\n' "$*" >>"$W/notes.txt"; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# uuid N -> a GPU UUID in NVML form
uuid() { printf 'GPU-%08x-0000-4000-8000-%012x' "$1" "$1"; }

# replay_csv NODE_NO GPUS -> nvidia-smi CSV without a timestamp column (collect uses now)
replay_csv() {
    local n=$1 k=$2 i
    echo "index, uuid, name, pci.bus_id, driver_version, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W], enforced.power.limit [W]"
    for ((i = 0; i < k; i++)); do
        printf '%d, %s, NVIDIA H100 80GB HBM3, 00000000:%02X:00.0, 550.54.15, %d %%, %d %%, %d MiB, 81559 MiB, %d, %d.50 W, 700.00 W\n' \
            "$i" "$(uuid $((n * 100 + i)))" $((16 + i)) $(((n + i) * 7 % 100)) $((i * 3 % 100)) $((1000 + i)) $((35 + i)) $((100 + i))
    done
}

# big_csv NODE_NO GPUS MINUTES -> a CSV with a timestamp column, GPUS rows per minute
big_csv() {
    local n=$1 k=$2 m=$3 t i hh mm
    echo "timestamp, index, uuid, name, driver_version, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W]"
    for ((t = 0; t < m; t++)); do
        hh=$((t / 60)); mm=$((t % 60))
        for ((i = 0; i < k; i++)); do
            printf '2026/11/29 %02d:%02d:00.100, %d, %s, NVIDIA H100 80GB HBM3, 550.54.15, %d %%, %d MiB, 81559 MiB, %d, %d.00 W\n' \
                "$hh" "$mm" "$i" "$(uuid $((n * 100 + i)))" $(((t + i) % 100)) $((t * 10 + i)) $((40 + i % 30)) $((200 + i))
        done
    done
}

# kube_json N PREFIX [OSIMAGE] -> a 'kubectl get nodes -o json' list of N GPU nodes
kube_json() {
    local n=$1 p=$2 os=${3:-Ubuntu 22.04.4 LTS} i sep=""
    printf '{"apiVersion":"v1","kind":"List","items":['
    for ((i = 1; i <= n; i++)); do
        printf '%s{"apiVersion":"v1","kind":"Node","metadata":{"name":"%s-%04d","labels":{"nvidia.com/gpu.product":"NVIDIA-H100-80GB-HBM3","nvidia.com/gpu.count":"8","node-role.kubernetes.io/gpu-worker":""}},' "$sep" "$p" "$i"
        printf '"status":{"addresses":[{"type":"InternalIP","address":"10.%d.%d.%d"}],"capacity":{"cpu":"192","nvidia.com/gpu":"8"},"allocatable":{"cpu":"192","nvidia.com/gpu":"8"},' $((i / 65536 % 256)) $((i / 256 % 256)) $((i % 256))
        printf '"conditions":[{"type":"Ready","status":"True"}],"nodeInfo":{"osImage":"%s","kernelVersion":"5.15.0-105-generic","kubeletVersion":"v1.30.2","containerRuntimeVersion":"containerd://1.7.13"}}}' "$os"
        sep=,
    done
    printf ']}\n'
}

###############################################################################################
# 1. Concurrency
###############################################################################################
log "phase 1: concurrency, 8 processes x ${DUR}s on one store"
mkdir -p conc && cd conc
S=$W/conc/store.db
g --db "$S" -q node add shared --cluster c1 >/dev/null
for n in 1 2 3 9; do replay_csv $n 4 >"n$n.csv"; done
g --db "$S" -q collect --input n9.csv --node shared >/dev/null   # the four contended GPUs
for n in 1 2 3; do g --db "$S" -q node add "col$n" --cluster c1 >/dev/null; done
CONTENDED=("$(uuid 900)" "$(uuid 901)" "$(uuid 902)" "$(uuid 903)")
g --db "$S" -q node add w-0 --cluster cw >/dev/null
END=$(($(now) + DUR))

# run_one WORKER KIND CMD... : run once, log "KIND RC", keep anomalies
run_one() {
    local w=$1 kind=$2 rc=0; shift 2
    timeout -k 5 60 "$BIN" --db "$S" "$@" >"$w.out" 2>"$w.err" </dev/null || rc=$?
    echo "$kind $rc" >>"$w.log"
    if [[ $rc == 101 || $rc -ge 124 ]] || has "$w.err" panicked || has "$w.err" "database is locked" || has "$w.err" "locked"; then
        { echo "== $kind rc=$rc: gpuctl $*"; head -c 2000 "$w.err"; } >>"$w.anomalies"
    fi
    LAST_RC=$rc
}
worker_collect() { local n=$1; while (($(now) < END)); do run_one "col$n" "collect" -q collect --input "n$n.csv" --node "col$n" --cluster c1; done; }
worker_alloc() {
    local who=$1 i=0
    while (($(now) < END)); do
        run_one "alloc-$who" "alloc.create" -q alloc create --device "${CONTENDED[$((i % 4))]}" --owner "$who" --for 1m
        i=$((i + RANDOM % 3 + 1))
    done
}
worker_release() {
    local ids id
    while (($(now) < END)); do
        run_one rel "alloc.list" alloc list -o csv --no-headers
        mapfile -t ids <rel.out
        if ((${#ids[@]} > 0)); then
            id=${ids[$((RANDOM % ${#ids[@]}))]}; id=${id%%,*}
            run_one rel "alloc.release" -q alloc release "$id" --reason attack
        fi
    done
}
worker_nodes() {
    local i=0
    while (($(now) < END)); do
        i=$((i + 1))
        case $((i % 3)) in
            0) run_one nodes "node.add" -q node add "w-$i" --cluster cw --role worker --gpus 8 ;;
            1) run_one nodes "node.update" -q node update "w-$((i / 3 * 3))" --cluster cw --role "r$i" -l "k=v$i" ;;
            2) run_one nodes "node.update" -q node update shared --cluster c1 -l "round=$i" --reason "round $i" ;;
        esac
    done
}
worker_read() {
    local i=0
    while (($(now) < END)); do
        i=$((i + 1))
        case $((i % 4)) in
            0) run_one read "node.list" node list ;;
            1) run_one read "dashboard.stats" dashboard stats -o json ;;
            2) run_one read "alloc.list" alloc list --all ;;
            3) run_one read "device.list" device list ;;
        esac
    done
}
worker_collect 1 & worker_collect 2 & worker_collect 3 &
worker_alloc alice & worker_alloc bob &
worker_release & worker_nodes & worker_read &
wait
cat ./*.log >all.log
declare -A C_RUNS=()
while read -r kind rc; do C_RUNS["$kind rc=$rc"]=$((${C_RUNS["$kind rc=$rc"]:-0} + 1)); done <all.log
C_TOTAL=$(wc -l <all.log)
C_LOCKED=0; C_PANIC=0
for f in ./*.anomalies; do
    [[ -e $f ]] || continue
    while IFS= read -r l; do
        if [[ $l == *locked* ]]; then C_LOCKED=$((C_LOCKED + 1)); fi
        if [[ $l == *panicked* ]]; then C_PANIC=$((C_PANIC + 1)); fi
    done <"$f"
done
while read -r kind rc; do if [[ $rc == 101 ]]; then C_PANIC=$((C_PANIC + 1)); fi; done <all.log
# unexpected exit codes per kind: collect 0; alloc.create 0/4; alloc.release 0/3/4; node writes 0 (update of a
# node not added yet: 3); reads 0
C_UNEXP=0
while read -r kind rc; do
    case "$kind:$rc" in
        collect:0 | alloc.create:0 | alloc.create:4 | alloc.release:0 | alloc.release:3 | alloc.release:4 | node.add:0 | node.update:0 | node.update:3 | *list:0 | dashboard.stats:0) ;;
        *) C_UNEXP=$((C_UNEXP + 1)); echo "$kind $rc" >>unexpected.txt ;;
    esac
done <all.log
DOUBLE=$(sqlite3 "$S" "SELECT count(*) FROM (SELECT device_id FROM allocations WHERE state='active' AND mig_instance_id IS NULL GROUP BY device_id HAVING count(*)>1)")
C_INTEG=$(integrity "$S")
ok_count() { local k=$1 n=0 kind rc; while read -r kind rc; do if [[ $kind == "$k" && $rc == 0 ]]; then n=$((n + 1)); fi; done <"$2"; echo $n; }
A_OK=$(ok_count alloc.create all.log); A_ROWS=$(sqlite3 "$S" "SELECT count(*) FROM allocations")
R_OK=$(ok_count alloc.release all.log); R_ROWS=$(sqlite3 "$S" "SELECT count(*) FROM allocations WHERE state='released'")
N_OK=$(ok_count node.add all.log); N_ROWS=$(sqlite3 "$S" "SELECT count(*) FROM nodes WHERE cluster='cw' AND name<>'w-0'")
LOST=0; LOST_TXT=""
[[ $A_OK == "$A_ROWS" ]] || { LOST=$((LOST + 1)); LOST_TXT+=" alloc.create ok=$A_OK rows=$A_ROWS;"; }
[[ $R_OK == "$R_ROWS" ]] || { LOST=$((LOST + 1)); LOST_TXT+=" alloc.release ok=$R_OK released=$R_ROWS;"; }
[[ $N_OK == "$N_ROWS" ]] || { LOST=$((LOST + 1)); LOST_TXT+=" node.add ok=$N_OK rows=$N_ROWS;"; }
COL_OK=0
for n in 1 2 3; do
    ok=$(ok_count collect "col$n.log"); ev=$(sqlite3 "$S" "SELECT count(*) FROM events WHERE kind='collect.run' AND subject='col$n'")
    COL_OK=$((COL_OK + ok))
    [[ $ok == "$ev" ]] || { LOST=$((LOST + 1)); LOST_TXT+=" collect col$n ok=$ok collect.run=$ev;"; }
done
((DOUBLE == 0)) || defect "concurrency: $DOUBLE device(s) with two active leases"
[[ $C_INTEG == ok ]] || defect "concurrency: integrity_check: $C_INTEG"
((C_PANIC == 0)) || defect "concurrency: $C_PANIC panics (see conc/*.anomalies)"
((C_LOCKED == 0)) || defect "concurrency: $C_LOCKED 'database is locked'"
((C_UNEXP == 0)) || defect "concurrency: $C_UNEXP unexpected exit codes: $(sort conc/unexpected.txt 2>/dev/null | uniq -c | tr '\n' ';')"
((LOST == 0)) || defect "concurrency: lost writes:$LOST_TXT"
cd "$W"

###############################################################################################
# 2. Kills
###############################################################################################
log "phase 2: $KILLS SIGKILLs during writes"
mkdir -p kill && cd kill
g --db base.db -q demo --seed 7 >/dev/null      # 24 nodes x 8 GPUs x 3 days, ~26 MB
g --db base.db -q db retention --raw 1h >/dev/null
big_csv 5 64 240 >big.csv          # 15,360 rows: 64 GPUs x 4 h of minutes
replay_csv 5 64 >next.csv
kube_json 3000 imp >imp.json      # 1.7 MB
KCLUSTER=$(sqlite3 base.db "SELECT cluster FROM nodes ORDER BY id LIMIT 1")
KINDS=(collect demo import prune vacuum backup alloc)
K_INTACT=0; K_EARLY=0; declare -A K_BY=(); declare -A K_BAD=()
K_PARTIAL=0; K_LEFTOVER=0
for ((it = 1; it <= KILLS; it++)); do
    kind=${KINDS[$((it % ${#KINDS[@]}))]}
    d=it$it; mkdir "$d"; db=$d/s.db
    [[ $kind == demo ]] || cp base.db "$db"
    s0=0; r0=0
    if [[ $kind == collect ]]; then
        s0=$(sqlite3 "$db" "SELECT count(*) FROM samples"); r0=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE kind='collect.run'")
    fi
    case $kind in
        collect) cmd=(collect --input big.csv --node killme --cluster k) ;;
        demo) cmd=(demo --nodes 24 --gpus-per-node 8 --days 3) ;;
        import) cmd=(node import imp.json --cluster k) ;;
        prune) cmd=(db prune) ;;
        vacuum) cmd=(db vacuum) ;;
        backup) cmd=(db backup "$d/backup.db") ;;
        alloc) cmd=(alloc create --cluster "$KCLUSTER" --count 4 --owner killer --for 1h) ;;
    esac
    ms=$((5 + RANDOM % 296))
    "$BIN" --db "$db" -q "${cmd[@]}" >"$d/out" 2>"$d/err" </dev/null &
    pid=$!
    sleep "$(printf '0.%03d' "$ms")"
    if kill -9 "$pid" 2>/dev/null; then :; else K_EARLY=$((K_EARLY + 1)); fi
    wait "$pid" 2>/dev/null || true
    K_BY[$kind]=$((${K_BY[$kind]:-0} + 1))
    bad=""
    # a gpuctl read must succeed on what is left (demo: only if a store was left)
    if [[ $kind != demo || -e $db ]]; then
        rc=0; g --db "$db" -q node list -o json >"$d/read.out" 2>"$d/read.err" || rc=$?
        if [[ $kind == demo && $rc != 0 ]]; then :; elif [[ $rc != 0 ]]; then bad+=" read rc=$rc($(head -c 200 "$d/read.err"));"; fi
        if [[ -e $db ]]; then
            i=$(integrity "$db"); [[ $i == ok ]] || bad+=" integrity=$i;"
        fi
    fi
    case $kind in
        collect)
            s1=$(sqlite3 "$db" "SELECT count(*) FROM samples"); r1=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE kind='collect.run'")
            if [[ $r1 == "$r0" && $s1 != "$s0" ]]; then K_PARTIAL=$((K_PARTIAL + 1)); bad+=" partial collect: samples $s0->$s1 without collect.run;"; fi
            rc=0; g --db "$db" -q collect --input next.csv --node killme --cluster k >"$d/next.out" 2>"$d/next.err" || rc=$?
            [[ $rc == 0 ]] || bad+=" next collect rc=$rc($(head -c 300 "$d/next.err"));" ;;
        demo)
            rc=0; g --db "$db" -q demo --nodes 4 --gpus-per-node 2 --days 1 >"$d/next.out" 2>"$d/next.err" || rc=$?
            [[ $rc == 0 ]] || bad+=" demo rerun rc=$rc($(head -c 300 "$d/next.err"));"
            i=$(integrity "$db"); [[ $i == ok ]] || bad+=" integrity after rerun=$i;" ;;
        import)
            rc=0; g --db "$db" -q node import imp.json --cluster k >"$d/next.out" 2>"$d/next.err" || rc=$?
            [[ $rc == 0 ]] || bad+=" import rerun rc=$rc;" ;;
        prune | vacuum)
            rc=0; g --db "$db" -q db "$kind" >"$d/next.out" 2>"$d/next.err" || rc=$?
            [[ $rc == 0 ]] || bad+=" $kind rerun rc=$rc($(head -c 300 "$d/next.err"));" ;;
        backup)
            for f in "$d"/backup.db.*; do if [[ -e $f ]]; then
                K_LEFTOVER=$((K_LEFTOVER + 1)); note "kill #$it (backup after ${ms} ms) left ${f##*/} (mode $(stat -c %a "$f"), $(stat -c %s "$f") bytes) beside the target"
                [[ $(stat -c %a "$f") == 600 ]] || bad+=" backup temp file ${f##*/} has mode $(stat -c %a "$f");"
                break; fi; done
            if [[ -e $d/backup.db ]]; then
                i=$(integrity "$d/backup.db"); [[ $i == ok ]] || bad+=" backup target not a valid copy: $i;"
                [[ $(sqlite3 "$d/backup.db" "SELECT count(*) FROM samples" 2>&1) == "$(sqlite3 "$db" "SELECT count(*) FROM samples")" ]] || bad+=" backup target incomplete;"
            else
                rc=0; g --db "$db" -q db backup "$d/backup.db" >"$d/next.out" 2>"$d/next.err" || rc=$?
                [[ $rc == 0 ]] || bad+=" backup retry rc=$rc($(head -c 300 "$d/next.err"));"
            fi ;;
        alloc)
            rc=0; g --db "$db" -q alloc create --cluster "$KCLUSTER" --count 1 --owner after --for 1h >"$d/next.out" 2>"$d/next.err" || rc=$?
            [[ $rc == 0 ]] || bad+=" next alloc rc=$rc($(head -c 300 "$d/next.err"));" ;;
    esac
    if [[ -z $bad ]]; then K_INTACT=$((K_INTACT + 1)); rm -rf "$d"; else
        K_BAD[$kind]=$((${K_BAD[$kind]:-0} + 1)); defect "kill #$it ($kind after ${ms} ms):$bad"
    fi
done
cd "$W"

###############################################################################################
# 3. Bad input
###############################################################################################
log "phase 3: bad inputs"
mkdir -p bad && cd bad
B=$W/bad/store.db
g --db "$B" -q node add good-1 --cluster c1 --role worker >/dev/null
replay_csv 7 2 >good.csv
g --db "$B" -q collect --input good.csv --node good-1 --cluster c1 >/dev/null
g --db "$B" -q alloc create --device "$(uuid 700)" --owner keeper --for 1000h >/dev/null
BIG=$(head -c 100000 /dev/zero | tr '\0' 'a')                   # 100 kB of text
BIGNAME=$(head -c 100000 /dev/zero | tr '\0' 'n')
ESC=$'\e]52;c;cHduZWQ=\a\e[2J\e[31m'                               # OSC 52 clipboard + clear screen
CTL=$'a\x01b\x7fc\rd\te'
NL=$'line1\nline2'
# files
csv_hdr="uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W]"
mkcsv() { local f=$1; shift; { echo "$csv_hdr"; printf '%s\n' "$@"; } >"$f"; }
U=$(uuid 701)
mkcsv util250.csv "$U, NVIDIA H100 80GB HBM3, 250 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv utilneg.csv "$U, NVIDIA H100 80GB HBM3, -5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv temp9999.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 9999, 100 W"
mkcsv tempneg.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, -300, 100 W"
mkcsv power1e20.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 1e20 W"
mkcsv powerneg.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, -100 W"
mkcsv mem1e20.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 1e20 MiB, 81559 MiB, 40, 100 W"
mkcsv memneg.csv "$U, NVIDIA H100 80GB HBM3, 5 %, -1 MiB, 81559 MiB, 40, 100 W"
mkcsv memover.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 99999999 MiB, 81559 MiB, 40, 100 W"
mkcsv nan.csv "$U, NVIDIA H100 80GB HBM3, NaN %, 10 MiB, 81559 MiB, 40, inf W"
mkcsv hexnum.csv "$U, NVIDIA H100 80GB HBM3, 0x10 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv i64.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 9223372036854775808 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-hello.csv "hello, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-sql.csv "GPU-1'); DROP TABLE devices;--, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-shell.csv "\$(touch $W/bad/pwned), NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-empty.csv ", NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-prefix.csv "GPU-, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-nonhex.csv "GPU-zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-big.csv "GPU-$BIG, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv uuid-esc.csv "GPU-${ESC}, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv name-big.csv "$U, $BIG, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv badunit.csv "$U, NVIDIA H100 80GB HBM3, 5 parsecs, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv words.csv "$U, NVIDIA H100 80GB HBM3, hot, cold, big, warm, lots"
mkcsv fewcols.csv "$U, NVIDIA H100 80GB HBM3"
mkcsv morecols.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W, extra, extra"
mkcsv quote.csv "\"$U, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv dupuuid.csv "$U, NVIDIA H100 80GB HBM3, 5 %, 10 MiB, 81559 MiB, 40, 100 W" "$U, NVIDIA H100 80GB HBM3, 6 %, 10 MiB, 81559 MiB, 40, 100 W"
mkcsv hostile-name.csv "$(uuid 702), NVIDIA H100${ESC}, 5 %, 10 MiB, 81559 MiB, 40, 100 W"
{ echo "uuid, name, driver_version, utilization.gpu [%]"; echo "$(uuid 703), NVIDIA H100 80GB HBM3, 550${ESC}, 5 %"; } >hostile-driver.csv
{ echo "timestamp, uuid, utilization.gpu [%]"; echo "2026/13/45 99:99:99.000, $U, 5 %"; } >badts.csv
{ echo "timestamp, uuid, utilization.gpu [%]"; echo "not a time, $U, 5 %"; } >badts2.csv
{ echo "timestamp, uuid, utilization.gpu [%]"; echo "9999/12/31 23:59:59.000, $U, 5 %"; } >farts.csv
{ echo "timestamp, uuid, utilization.gpu [%]"; echo "1000/01/01 00:00:00.000, $U, 5 %"; } >oldts.csv
{ echo "name, utilization.gpu [%]"; echo "NVIDIA H100, 5 %"; } >nouuid.csv
echo "$csv_hdr" >hdronly.csv
: >empty.csv
head -c 4096 /dev/urandom >random.bin
printf '\xff\xfeu\x00u\x00i\x00d\x00\n\x00' >utf16.csv
{ echo "uuid, utilization.gpu [%]"; printf '%s, 5 %%\r\n' "$U"; } >crlf.csv
{ echo "uuid, name"; printf 'GPU-\xff\xfe\xfd, NVIDIA\xc3\x28\n'; } >badutf8.csv
{ printf 'uuid'; for ((i = 0; i < 5000; i++)); do printf ', c%d' "$i"; done; echo; } >widehdr.csv
{ echo "uuid, name"; printf '%s, ' "$U"; head -c 10000000 /dev/zero | tr '\0' 'x'; echo; } >cell10mb.csv
{ echo "uuid, name"; head -c 3000000 /dev/zero | tr '\0' '\n'; } >blanklines.csv
mkfifo fifo.csv
# kubectl JSON
printf '' >empty.json
printf '{' >open.json
printf 'null' >null.json
printf '[]' >array.json
printf '{"kind":"Pod","items":[]}' >wrongkind.json
printf '{"kind":"List","items":"no"}' >itemsstring.json
printf '{"kind":"List","items":[{"kind":"Node"}]}' >noname.json
printf '%s' "$(head -c 200000 /dev/zero | tr '\0' '[')" >deep.json
node_json() { printf '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"%s","labels":{}},"status":{"capacity":{"nvidia.com/gpu":"%s"},"allocatable":{"nvidia.com/gpu":"%s"},"nodeInfo":{"osImage":"%s","kernelVersion":"%s","kubeletVersion":"%s"}}}]}' "$@"; }
node_json "imp-cap-max" 9223372036854775807 8 ok ok ok >capmax.json
node_json "imp-cap-neg" -1 -1 ok ok ok >capneg.json
node_json "imp-cap-exp" 1e400 1 ok ok ok >capexp.json
node_json "imp-cap-word" lots 1 ok ok ok >capword.json
node_json "imp-cap-frac" 1.5 1 ok ok ok >capfrac.json
node_json "Imp_Bad Name" 1 1 ok ok ok >badname.json
node_json "$BIGNAME" 1 1 ok ok ok >bigname.json
node_json "imp-os-nl" 1 1 'Ubuntu\nInjected line' ok ok >osnl.json
node_json "imp-os-esc" 1 1 'Ubuntu\u001b]52;c;cHduZWQ=\u0007\u001b[2J' '5.15\u001b[31m' 'v1.30\u0007' >osesc.json
node_json "imp-os-big" 1 1 "$BIG" ok ok >osbig.json
printf '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"imp-bad-utf8"},"status":{"nodeInfo":{"osImage":"\xff\xfe"}}}]}' >badutf8.json
kube_json 2 dup >dup1.json; { printf '{"kind":"List","items":['; kube_json 1 dup | head -c -3 | tail -c +40; printf ','; kube_json 1 dup | head -c -3 | tail -c +40; printf ']}'; } >dupnodes.json
# weird --db paths
mkdir adir
mkfifo dbfifo
ln -s "$W/bad/nowhere/target.db" dangling-dir.db
ln -s "$W/bad/dangling-target.db" dangling.db
sqlite3 foreign.db "CREATE TABLE t(x); INSERT INTO t VALUES (1),(2);"
sqlite3 foreign-clash.db "CREATE TABLE nodes(id INTEGER PRIMARY KEY, whatever TEXT); INSERT INTO nodes VALUES (1,'mine');"
sqlite3 foreign-empty.db "PRAGMA user_version=0; CREATE TABLE z(x); DROP TABLE z;"
head -c 8192 "$B" >truncated.db
cp "$B" newer.db; sqlite3 newer.db "PRAGMA user_version=9999"
echo "this is not a database" >text.db
head -c 65536 /dev/urandom >random.db
cp "$B" tocopy.db
F_HASH=$(dump_hash foreign.db); FC_HASH=$(dump_hash foreign-clash.db)

NCASE=0; N_FAIL=0; N_PASS=0; N_PANIC=0; N_HANG=0; N_VERBOSE=0; N_LONG=0; N_CHANGED=0; N_ESC=0; N_ACCEPTED=0; N_RC1=0
: >cases.txt; : >verbose.txt; : >accepted.txt; : >esc.txt; : >changed.txt; : >panics.txt; : >hangs.txt
# bad MODE EXPECT LABEL ARGS...
#   MODE  S: runs on the bad-input store (--db added; a failing run must leave its .dump unchanged)
#         N: ARGS carry their own --db or need none
#   EXPECT F: must be refused (exit != 0); A: may be accepted (hostile text: must then be displayed safely)
#   stdin comes from $IN (default /dev/null); every run is killed after 15 s
bad() {
    local mode=$1 exp=$2 label=$3 rc=0 h0="" h1 lines bytes e; shift 3
    NCASE=$((NCASE + 1))
    [[ $mode == S ]] && h0=$(dump_hash "$B")
    if [[ $mode == S ]]; then
        timeout -k 2 15 "$BIN" --db "$B" --color never "$@" <"${IN:-/dev/null}" >out 2>err || rc=$?
    else
        timeout -k 2 15 "$BIN" --color never "$@" <"${IN:-/dev/null}" >out 2>err || rc=$?
    fi
    printf '%-4s rc=%-3s %-32s %s\n' "$NCASE" "$rc" "$label" "$(head -c 150 err | head -n 1 | cat -v)" >>cases.txt
    if ((rc == 0)); then N_PASS=$((N_PASS + 1)); else N_FAIL=$((N_FAIL + 1)); fi
    if ((rc == 124 || rc == 137)); then
        N_HANG=$((N_HANG + 1)); echo "$label (rc=$rc)" >>hangs.txt; defect "bad input '$label': still running after 15 s"
    elif ((rc == 101 || rc > 128)) || has err panicked; then
        N_PANIC=$((N_PANIC + 1)); { echo "$label rc=$rc"; head -c 500 err; echo; } >>panics.txt; defect "bad input '$label': crash rc=$rc: $(head -c 300 err)"
    fi
    if ((rc == 1)); then N_RC1=$((N_RC1 + 1)); note "bad input '$label' refused with exit 1 (runtime failure), not a usage/not-found/conflict/store code: $(head -c 160 err | head -n 1 | cat -v)"; fi
    if [[ $exp == F && $rc == 0 ]]; then N_ACCEPTED=$((N_ACCEPTED + 1)); echo "$label" >>accepted.txt; note "bad input '$label' accepted (exit 0): $(head -c 160 out | tr '\n' ' ')"; fi
    if ((rc != 0)); then
        lines=$(wc -l <err); bytes=$(wc -c <err)
        if ((lines > 2)); then N_VERBOSE=$((N_VERBOSE + 1)); { echo "== $label ($lines lines, $bytes bytes)"; head -c 600 err | cat -v; echo; } >>verbose.txt; fi
        if ((bytes > 1024)); then N_LONG=$((N_LONG + 1)); note "bad input '$label': $bytes-byte error message: $(head -c 120 err | cat -v)…"; fi
        if [[ $mode == S ]]; then
            h1=$(dump_hash "$B")
            if [[ $h0 != "$h1" ]]; then N_CHANGED=$((N_CHANGED + 1)); echo "$label" >>changed.txt; defect "bad input '$label': failed (rc=$rc) but changed the store"; fi
        fi
    fi
    e=$(($(ctl_bytes out) + $(ctl_bytes err)))
    if ((e > 0)); then N_ESC=$((N_ESC + 1)); echo "$label: $e raw ESC/BEL bytes" >>esc.txt; defect "bad input '$label': $e raw ESC/BEL bytes in its output: $(head -c 300 out | cat -v) / $(head -c 300 err | cat -v)"; fi
    return 0
}

# --- flag values
bad S F "unknown flag"                node list --frobnicate
bad S F "bad output format"           node list -o yaml
bad S F "bad color"                   node list --color sometimes
bad S F "bad status filter"           node list --status exploded
bad S F "bad sort field"              node list --sort shoesize
bad S F "limit -1"                    node list --limit=-1
bad S F "limit word"                  node list --limit many
bad S F "limit 2^64"                  node list --limit 18446744073709551616
bad S F "page 0"                      node list --page 0
bad S A "limit 0"                     node list --limit 0
bad S A "limit+page u32 max"          node list --limit 4294967295 --page 4294967295
bad S A "limit+page u64 max"          node list --limit 18446744073709551615 --page 18446744073709551615
bad S A "page i64 max"                node list --page 9223372036854775807
bad S A "page huge, limit 1"          node list --limit 1 --page 9223372036854775807
bad S F "changed-since -1h"           node list --changed-since=-1h
bad S F "changed-since word"          node list --changed-since yesterday
bad S A "changed-since 100000000w"    node list --changed-since 100000000w
bad S F "label filter without ="      node list -l justakey
bad S A "search 100 kB"               node list --search "$BIG"
bad S A "search control chars"        node list --search "$ESC"
bad S A "search % and _"              node list --search "%_%'\"\\"
bad S F "history limit -5"            node history good-1 --limit=-5
bad S A "history limit huge"          node history good-1 --limit 18446744073709551615
bad S F "activity limit word"         dashboard activity --limit x
bad S A "activity limit huge"         dashboard activity --limit 18446744073709551615
# --- node names and text
bad S F "node add empty name"         node add "" --cluster c1
bad S F "node add uppercase"          node add BadName --cluster c1
bad S F "node add underscore"         node add bad_name --cluster c1
bad S F "node add 100 kB name"        node add "$BIGNAME" --cluster c1
bad S F "node add ESC name"           node add "n${ESC}" --cluster c1
bad S F "node add leading dash"       node add --cluster c1 -- -lead
bad S F "node add dot-dot"            node add "a..b" --cluster c1
bad S F "node add 254 chars"          node add "$(head -c 254 /dev/zero | tr '\0' a)" --cluster c1
bad S F "node add no cluster"         node add lonely
bad S F "node add empty cluster"      node add n-x --cluster ""
bad S F "node add ESC cluster"        node add n-x --cluster "c${ESC}"
bad S F "node add 100 kB cluster"     node add n-x --cluster "$BIG"
bad S F "node add existing"           node add good-1 --cluster c1
bad S F "node add bad ip"             node add n-ip --cluster c1 --ip 999.1.1.1
bad S F "node add ip words"           node add n-ip --cluster c1 --ip localhost
bad S F "node add ip ESC"             node add n-ip --cluster c1 --ip "1.2.3.4${ESC}"
bad S F "node add gpus -1"            node add n-g --cluster c1 --gpus=-1
bad S F "node add gpus 2^63"          node add n-g --cluster c1 --gpus 9223372036854775808
bad S F "node add gpus huge"          node add n-g --cluster c1 --gpus 99999999999999999999
bad S F "node add bad status"         node add n-s --cluster c1 --status gone
bad S F "node add label no ="         node add n-l --cluster c1 -l novalue
bad S F "node add label bad key"      node add n-l --cluster c1 -l "bad key!=v"
bad S F "node add label ESC key"      node add n-l --cluster c1 -l "k${ESC}=v"
bad S A "node add role ESC (hostile)" node add hostile-role --cluster c1 --role "$ESC"
bad S A "node add os/kernel ESC"      node add hostile-os --cluster c1 --os "Ubuntu${ESC}" --kernel "5.15${ESC}" --driver "550${ESC}" --cuda "12${ESC}" --kubelet "v1${ESC}"
bad S A "node add label value ESC"    node add hostile-label --cluster c1 -l "k=v${ESC}"
bad S A "node add reason ESC"         node add hostile-reason --cluster c1 --reason "why${ESC}"
bad S A "node add role newline"       node add hostile-nl --cluster c1 --role "$NL"
bad S A "node add role C0/DEL"        node add hostile-ctl --cluster c1 --role "$CTL"
bad S A "node add role 100 kB"        node add big-role --cluster c1 --role "$BIG"
bad S A "node add os 100 kB"          node add big-os --cluster c1 --os "$BIG"
bad S A "node update reason ESC"      node update good-1 --reason "$ESC" --role "w${ESC}"
bad S F "node update missing"         node update no-such-node --role x
bad S F "node update ESC name"        node update "x${ESC}" --role x
bad S F "node update 100 kB name"     node update "$BIGNAME" --role x
bad S F "node update bad ip"          node update good-1 --ip 1.2.3
bad S F "node update gpus -3"         node update good-1 --gpus=-3
bad S F "node show missing ESC"       node show "nope${ESC}"
bad S F "node show 100 kB"            node show "$BIGNAME"
bad S F "node history 100 kB"         node history "$BIGNAME"
bad S F "node set-status bad"         node set-status good-1 melted
bad S F "node set-status missing"     node set-status "ghost${ESC}" ready
bad S F "node remove missing"         node remove "ghost${ESC}"
bad S F "node remove with GPUs"       node remove good-1
# --- devices, UUIDs, models
bad S F "device show hello"           device show hello
bad S F "device show ESC uuid"        device show "GPU-${ESC}"
bad S F "device show 100 kB uuid"     device show "GPU-$BIG"
bad S F "device show SQL"             device show "GPU-1' OR '1'='1"
bad S F "device add hello"            device add hello --node good-1 --index 5
bad S F "device add GPU-"             device add GPU- --node good-1 --index 5
bad S F "device add nonhex"           device add GPU-zzzz-zzzz --node good-1 --index 5
bad S F "device add 100 kB"           device add "GPU-$BIG" --node good-1 --index 5
bad S F "device add ESC"              device add "GPU-abc${ESC}" --node good-1 --index 5
bad S F "device add index -1"         device add GPU-0123abcd-0000-4000-8000-000000000abc --node good-1 --index=-1
bad S F "device add index huge"       device add GPU-0123abcd-0000-4000-8000-000000000abc --node good-1 --index 99999999999999999999
bad S F "device add missing node"     device add GPU-0123abcd-0000-4000-8000-000000000abc --node ghost --index 1 --model "NVIDIA H100 80GB HBM3"
bad S F "device add existing"         device add "$(uuid 700)" --node good-1 --index 0 --model "NVIDIA H100 80GB HBM3"
bad S F "device add bad pci"          device add GPU-0123abcd-0000-4000-8000-000000000abc --node good-1 --index 6 --pci-bus-id "zz${ESC}"
bad S F "device add bad model"        device add GPU-0123abcd-0000-4000-8000-000000000abc --node good-1 --index 6 --model "No Such GPU${ESC}"
bad S F "device set-status bad"       device set-status "$(uuid 700)" sparkling
bad S F "device remove leased"        device remove "$(uuid 700)"
bad S F "model add memory 0"          model add "Fake GPU" --memory-mib 0
bad S F "model add memory -1"         model add "Fake GPU" --memory-mib=-1
bad S F "model add memory huge"       model add "Fake GPU" --memory-mib 99999999999999999999
bad S F "model add cost NaN"          model add "Fake GPU" --memory-mib 1000 --hourly-cost NaN
bad S F "model add cost -1"           model add "Fake GPU" --memory-mib 1000 --hourly-cost=-1
bad S F "model add cost inf"          model add "Fake GPU" --memory-mib 1000 --hourly-cost inf
bad S F "model add tdp -5"            model add "Fake GPU" --memory-mib 1000 --tdp-w=-5
bad S F "model add empty name"        model add "" --memory-mib 1000
bad S F "model add 100 kB name"       model add "$BIG" --memory-mib 1000
bad S A "model add ESC name"          model add "Hostile${ESC}" --memory-mib 1000 --architecture "arch${ESC}"
bad S F "model add existing"          model add "NVIDIA H100 80GB HBM3" --memory-mib 1000
bad S F "model show missing ESC"      model show "ghost${ESC}"
bad S F "mig create on a non-MIG GPU"      mig create "$(uuid 701)" "99g.999gb"
bad S F "mig create count 0"          mig create "$(uuid 701)" 1g.10gb --count 0
bad S F "mig create count huge"       mig create "$(uuid 701)" 1g.10gb --count 99999999999
bad S F "mig enable hello"            mig enable hello
# --- leases and durations
bad S F "alloc for 0s"                alloc create --device "$(uuid 701)" --owner x --for 0s
bad S F "alloc for -1h"               alloc create --device "$(uuid 701)" --owner x --for=-1h
bad S F "alloc for empty"             alloc create --device "$(uuid 701)" --owner x --for ""
bad S F "alloc for h"                 alloc create --device "$(uuid 701)" --owner x --for h
bad S F "alloc for 1x"                alloc create --device "$(uuid 701)" --owner x --for 1x
bad S F "alloc for 1e9y"              alloc create --device "$(uuid 701)" --owner x --for 1e9y
bad S F "alloc for 2^64 s"            alloc create --device "$(uuid 701)" --owner x --for 18446744073709551616s
bad S F "alloc for 10^18 h"           alloc create --device "$(uuid 701)" --owner x --for 1000000000000000000h
bad S F "alloc for 10^12 w"           alloc create --device "$(uuid 701)" --owner x --for 1000000000000w
bad S F "alloc for NaN"               alloc create --device "$(uuid 701)" --owner x --for NaNh
bad S F "alloc for 100 kB"            alloc create --device "$(uuid 701)" --owner x --for "$BIG"
bad S F "alloc until past"            alloc create --device "$(uuid 701)" --owner x --until 1970-01-01
bad S F "alloc until bad date"        alloc create --device "$(uuid 701)" --owner x --until 2026-02-30
bad S F "alloc until month 13"        alloc create --device "$(uuid 701)" --owner x --until 2026-13-01
bad S F "alloc until year 0"          alloc create --device "$(uuid 701)" --owner x --until 0000-01-01
bad S F "alloc until ESC"             alloc create --device "$(uuid 701)" --owner x --until "2030-01-01${ESC}"
bad S F "alloc for and until"         alloc create --device "$(uuid 701)" --owner x --for 1h --until 2030-01-01
bad S F "alloc no duration"           alloc create --device "$(uuid 701)" --owner x
bad S F "alloc device hello"          alloc create --device hello --owner x --for 1h
bad S F "alloc device ESC"            alloc create --device "GPU-${ESC}" --owner x --for 1h
bad S F "alloc device 100 kB"         alloc create --device "GPU-$BIG" --owner x --for 1h
bad S F "alloc leased device"         alloc create --device "$(uuid 700)" --owner x --for 1h
bad S F "alloc count 0"               alloc create --node good-1 --owner x --for 1h --count 0
bad S F "alloc count -1"              alloc create --node good-1 --owner x --for 1h --count=-1
bad S F "alloc count huge"            alloc create --node good-1 --owner x --for 1h --count 4294967296
bad S F "alloc count more than GPUs"  alloc create --node good-1 --owner x --for 1h --count 99
bad S F "alloc empty owner"           alloc create --device "$(uuid 701)" --owner "" --for 1h
bad S F "alloc owner 100 kB"          alloc create --device "$(uuid 701)" --owner "$BIG" --for 1h
bad S F "alloc bad namespace"         alloc create --device "$(uuid 701)" --owner x --namespace "NS WITH SPACES" --for 1h
bad S A "alloc owner ESC (hostile)"   alloc create --device "$(uuid 701)" --owner "eve${ESC}" --workload "w${ESC}" --for 1000h
bad S F "alloc release 0"             alloc release 0
bad S F "alloc release -1"            alloc release -- -1
bad S F "alloc release huge"          alloc release 99999999999999999999
bad S F "alloc release word"          alloc release one
bad S F "alloc release missing"       alloc release 999999
bad S F "alloc extend by -1h"         alloc extend 1 --by=-1h
bad S F "alloc extend by 10^12 w"     alloc extend 1 --by 1000000000000w
bad S F "alloc extend until past"     alloc extend 1 --until 2000-01-01
bad S F "alloc extend until 9999"     alloc extend 1 --until 9999-12-31T23:59:59Z
bad S F "alloc show word"             alloc show abc
# --- windows and buckets
bad S F "trends since 30000w"         dashboard trends --since 30000w
bad S F "trends 1000w / 1s"           dashboard trends --since 1000w --bucket 1s
bad S F "trends bucket 0s"            dashboard trends --bucket 0s
bad S F "trends bucket -1h"           dashboard trends --bucket=-1h
bad S F "trends since 0s"             dashboard trends --since 0s
bad S F "report cost since 10^12 w"   report cost --since 1000000000000w
bad S F "report from after to"        report cost --from 2030-01-01 --to 2020-01-01
bad S F "report from bad"             report cost --from "yesterday${ESC}"
bad S F "report energy price -1"      report cost --energy-price=-1
bad S F "report energy price NaN"     report cost --energy-price NaN
bad S F "report utilization 30000w"   report utilization --since 30000w
bad S F "recent since -1d"            node recent --since=-1d
bad S F "retention raw 0s"            db retention --raw 0s
bad S F "retention raw -1d"           db retention --raw=-1d
bad S F "retention raw 10^12 w"       db retention --raw 1000000000000w
bad S F "retention hourly < raw"      db retention --raw 30d --hourly 1d
bad S F "export max-age -1s"          export prometheus --all-nodes --max-age=-1s
bad S F "alert rules set bad"         alert rules set no-such-rule --threshold 5
bad S F "alert show missing"          alert show 999999
bad S F "alert ack word"              alert ack abc
bad S F "backup onto existing file"   db backup "$B"
bad S F "backup into missing dir"     db backup "$W/bad/no/such/dir/b.db"
bad S F "backup to a directory"       db backup "$W/bad/adir"
bad S F "backup to /dev/full"         db backup /dev/full
# --- collect replays
bad S F "collect util 250 %"          collect --input util250.csv --node good-1
bad S F "collect util -5 %"           collect --input utilneg.csv --node good-1
bad S F "collect temp 9999"           collect --input temp9999.csv --node good-1
bad S F "collect temp -300"           collect --input tempneg.csv --node good-1
bad S F "collect power 1e20 W"        collect --input power1e20.csv --node good-1
bad S F "collect power -100 W"        collect --input powerneg.csv --node good-1
bad S F "collect memory.used 1e20"    collect --input mem1e20.csv --node good-1
bad S F "collect memory.used -1"      collect --input memneg.csv --node good-1
bad S F "collect memory.used > total" collect --input memover.csv --node good-1
bad S F "collect NaN/inf"             collect --input nan.csv --node good-1
bad S F "collect hex number"          collect --input hexnum.csv --node good-1
bad S F "collect 2^63 MiB"            collect --input i64.csv --node good-1
bad S F "collect uuid hello"          collect --input uuid-hello.csv --node good-1
bad S F "collect uuid SQL"            collect --input uuid-sql.csv --node good-1
bad S F "collect uuid \$(...)"        collect --input uuid-shell.csv --node good-1
bad S F "collect uuid empty"          collect --input uuid-empty.csv --node good-1
bad S F "collect uuid GPU-"           collect --input uuid-prefix.csv --node good-1
bad S F "collect uuid non-hex"        collect --input uuid-nonhex.csv --node good-1
bad S F "collect uuid 100 kB"         collect --input uuid-big.csv --node good-1
bad S F "collect uuid ESC"            collect --input uuid-esc.csv --node good-1
bad S F "collect name 100 kB"         collect --input name-big.csv --node good-1
bad S F "collect bad unit"            collect --input badunit.csv --node good-1
bad S F "collect words for numbers"   collect --input words.csv --node good-1
bad S F "collect too few columns"     collect --input fewcols.csv --node good-1
bad S F "collect too many columns"    collect --input morecols.csv --node good-1
bad S F "collect stray quote"         collect --input quote.csv --node good-1
bad S A "collect duplicate uuid"      collect --input dupuuid.csv --node good-1
bad S F "collect timestamp 2026/13/45" collect --input badts.csv --node good-1
bad S F "collect timestamp words"     collect --input badts2.csv --node good-1
bad S F "collect timestamp year 9999" collect --input farts.csv --node good-1
bad S F "collect timestamp year 1000" collect --input oldts.csv --node good-1
bad S F "collect no uuid column"      collect --input nouuid.csv --node good-1
bad S A "collect header only"         collect --input hdronly.csv --node good-1
bad S F "collect empty file"          collect --input empty.csv --node good-1
bad S F "collect random bytes"        collect --input random.bin --node good-1
bad S F "collect UTF-16"              collect --input utf16.csv --node good-1
bad S F "collect invalid UTF-8"       collect --input badutf8.csv --node good-1
bad S A "collect 5000 columns"        collect --input widehdr.csv --node good-1
bad S F "collect 10 MB cell"          collect --input cell10mb.csv --node good-1
bad S A "collect 3M blank lines"      collect --input blanklines.csv --node good-1
bad S F "collect /dev/zero"           collect --input /dev/zero --node good-1
bad S F "collect /dev/urandom"        collect --input /dev/urandom --node good-1
bad S F "collect a directory"         collect --input "$W/bad/adir" --node good-1
bad S F "collect missing file"        collect --input "$W/bad/missing.csv" --node good-1
timeout 20 bash -c "printf 'uuid, utilization.gpu [%%]\nhello, 500 %%\n' >fifo.csv" &
bad S F "collect FIFO of bad CSV"     collect --input fifo.csv --node good-1
wait || true
bad S F "collect node ESC"            collect --input good.csv --node "n${ESC}"
bad S F "collect node 100 kB"         collect --input good.csv --node "$BIGNAME"
bad S F "collect smi-timeout 0s"      collect --source nvidia-smi --smi-command /bin/true --smi-timeout 0s --node good-1
bad S F "collect smi-timeout -1s"     collect --source nvidia-smi --smi-command /bin/true --smi-timeout=-1s --node good-1
bad S F "collect every 0s"            collect --input good.csv --node good-1 --every 0s
bad S F "collect smi missing"         collect --source nvidia-smi --smi-command "$W/bad/no-smi" --node good-1
bad S F "collect smi is /bin/false"   collect --source nvidia-smi --smi-command /bin/false --node good-1
bad S F "collect textfile missing dir" collect --input good.csv --node good-1 --textfile "$W/bad/no/dir"
bad S A "collect CRLF"                collect --input crlf.csv --node good-1
bad S A "collect GPU name ESC"        collect --input hostile-name.csv --node good-1
bad S A "collect driver ESC"          collect --input hostile-driver.csv --node good-1
# --- kubectl JSON
bad S F "import empty file"           node import empty.json --cluster c1
bad S F "import truncated"            node import open.json --cluster c1
bad S F "import null"                 node import null.json --cluster c1
bad S F "import array"                node import array.json --cluster c1
bad S F "import wrong kind"           node import wrongkind.json --cluster c1
bad S F "import items string"         node import itemsstring.json --cluster c1
bad S F "import node without name"    node import noname.json --cluster c1
bad S F "import 200k nesting"         node import deep.json --cluster c1
bad S F "import capacity i64 max"     node import capmax.json --cluster c1
bad S F "import capacity -1"          node import capneg.json --cluster c1
bad S F "import capacity 1e400"       node import capexp.json --cluster c1
bad S F "import capacity word"        node import capword.json --cluster c1
bad S F "import capacity 1.5"         node import capfrac.json --cluster c1
bad S F "import bad node name"        node import badname.json --cluster c1
bad S F "import 100 kB node name"     node import bigname.json --cluster c1
bad S F "import osImage newline"      node import osnl.json --cluster c1
bad S F "import osImage 100 kB"       node import osbig.json --cluster c1
bad S F "import invalid UTF-8"        node import badutf8.json --cluster c1
bad S F "import duplicate nodes"      node import dupnodes.json --cluster c1
bad S F "import random bytes"         node import random.bin --cluster c1
bad S F "import a directory"          node import "$W/bad/adir" --cluster c1
bad S F "import /dev/zero"            node import /dev/zero --cluster c1
IN=/dev/zero bad S F "import stdin /dev/zero" node import - --cluster c1
IN=random.bin bad S F "import stdin random"   node import - --cluster c1
bad S F "import bad cluster"          node import osnl.json --cluster "Bad Cluster${ESC}"
bad S A "import osImage/kernel ESC"   node import osesc.json --cluster c1
# --- weird --db paths
bad N F "--db /dev/null"              --db /dev/null node list
bad N F "--db /dev/full"              --db /dev/full node add x --cluster c
bad N F "--db /dev/zero"              --db /dev/zero node list
bad N F "--db a directory"            --db "$W/bad/adir" node list
bad N F "--db a FIFO"                 --db "$W/bad/dbfifo" node list
bad N F "--db empty string"           --db "" node list
bad N F "--db in missing dir"         --db "$W/bad/no/such/dir/s.db" node list
bad N F "--db dangling, missing dir"  --db "$W/bad/dangling-dir.db" node add x --cluster c
bad N A "--db dangling symlink"       --db "$W/bad/dangling.db" node list
bad N F "--db foreign sqlite"         --db "$W/bad/foreign.db" node list
bad N F "--db foreign, write"         --db "$W/bad/foreign.db" node add x --cluster c
bad N F "--db foreign, name clash"    --db "$W/bad/foreign-clash.db" node list
bad N A "--db empty sqlite file"      --db "$W/bad/foreign-empty.db" node list
bad N F "--db truncated store"        --db "$W/bad/truncated.db" node list
bad N F "--db newer schema"           --db "$W/bad/newer.db" node list
bad N F "--db a text file"            --db "$W/bad/text.db" node list
bad N F "--db random bytes"           --db "$W/bad/random.db" node list
bad N F "--db 100 kB path"            --db "$W/bad/$BIG" node list
bad N F "--db path with ESC"          --db "$W/bad/no/x${ESC}.db" node list
bad N F "GPUCTL_DB=/dev/null"         node list --db /dev/null
bad N F "doctor on /dev/null"         --db /dev/null doctor
bad N F "backup onto /dev/null"       --db "$W/bad/tocopy.db" db backup /dev/null
bad N F "backup onto a FIFO"          --db "$W/bad/tocopy.db" db backup "$W/bad/dbfifo"
bad N F "backup onto dangling link"   --db "$W/bad/tocopy.db" db backup "$W/bad/dangling-dir.db"
# --- display: gpuctl refuses control characters on the way in, so plant them with sqlite3 the way an
#     older gpuctl, a restored backup or another writer could have left them, and show every view
P=$W/bad/planted.db
cp "$B" "$P"
X="'x' || char(27) || ']52;c;cHduZWQ=' || char(7) || char(27) || '[2J' || char(27) || '[31m' || char(10) || 'y' || char(13)"
sqlite3 "$P" "
UPDATE nodes SET role=$X, os=$X, kernel=$X, driver=$X, cuda=$X, kubelet=$X, ip=$X WHERE name='good-1';
INSERT INTO node_labels(node_id, key, value) SELECT id, 'hostile', $X FROM nodes WHERE name='good-1';
UPDATE devices SET driver_version=$X, serial=$X, pci_bus_id=$X, workload=$X;
UPDATE gpu_models SET architecture=$X;
INSERT INTO gpu_models(name, architecture, memory_mib, created_at, updated_at) VALUES ('Evil' || $X, $X, 1000, 0, 0);
UPDATE allocations SET owner=$X, namespace=$X, workload=$X;
UPDATE events SET reason=$X, new_value=$X, old_value=$X, actor=$X;
INSERT INTO alerts(rule, device_uuid, node, severity, state, first_seen_at, last_seen_at, message, cluster)
  VALUES ('gpu-hot', '$(uuid 700)', 'good-1', 'critical', 'firing', strftime('%s','now'), strftime('%s','now'), $X, 'c1');
"
for v in "node list" "node list --sort updated --desc" "node show good-1" "node history good-1" "node recent" \
    "device list" "device show $(uuid 700)" "model list" "model show Evil" "dashboard" "dashboard stats" \
    "dashboard activity --limit 200" "dashboard realtime" "dashboard models" "dashboard clusters" "dashboard alerts" \
    "alloc list --all" "alloc show 1" "alert list --all" "alert show 1" "report cost --by owner" "report idle" \
    "mig list" "doctor" "node list -o json" "device list -o json"; do
    # shellcheck disable=SC2086
    bad N A "show planted: $v" --db "$P" $v
done
bad N A "show planted: node list -l" --db "$P" node list -l "hostile=x"
bad N F "show planted: alloc create" --db "$P" alloc create --device "$(uuid 700)" --owner x --for 1h
cd "$W"
DANGLING_NOTE="not created"
if [[ -e $W/bad/dangling-target.db ]]; then DANGLING_NOTE="created at the link's target, mode $(stat -c %a "$W/bad/dangling-target.db")"
    [[ $(stat -c %a "$W/bad/dangling-target.db") == 600 ]] || defect "dangling --db symlink: store created at its target with mode $(stat -c %a "$W/bad/dangling-target.db")"; fi
[[ $(dump_hash bad/foreign.db) == "$F_HASH" ]] || defect "foreign SQLite file changed by gpuctl"
[[ $(dump_hash bad/foreign-clash.db) == "$FC_HASH" ]] || defect "foreign SQLite file (nodes clash) changed by gpuctl"
[[ ! -e bad/pwned ]] || defect "a UUID of \$(touch …) ran a shell"
[[ $(sqlite3 bad/store.db "PRAGMA integrity_check") == ok ]] || defect "bad-input store fails integrity_check"
ACCEPTED_LIST=$(tr '\n' ';' <bad/accepted.txt)

###############################################################################################
# Summary
###############################################################################################
echo
echo "gpuctl attack run: $("$BIN" --version)   (work dir $W)"
echo
echo "1. Concurrency: 8 processes x ${DUR}s on one store: $C_TOTAL runs"
for k in $(printf '%s\n' "${!C_RUNS[@]}" | sort | tr ' ' '|'); do printf '     %-28s %6d\n' "${k//|/ }" "${C_RUNS[${k//|/ }]}"; done
echo "   successful writes: collect $COL_OK, alloc.create $A_OK (lost races, exit 4: ${C_RUNS[alloc.create rc=4]:-0}), alloc.release $R_OK, node.add $N_OK"
echo "   lost writes: $LOST$LOST_TXT   double active leases: $DOUBLE   'database is locked': $C_LOCKED   panics: $C_PANIC   unexpected exits: $C_UNEXP   integrity_check: $C_INTEG"
echo
echo "2. Kills: $KILLS SIGKILLs after 5-300 ms ($(for k in "${KINDS[@]}"; do printf '%s %s, ' "$k" "${K_BY[$k]:-0}"; done | head -c -2)); finished before the kill: $K_EARLY"
echo "   intact stores: $K_INTACT / $KILLS   partial collect runs: $K_PARTIAL   backup temp files left beside the target: $K_LEFTOVER"
for k in "${!K_BAD[@]}"; do echo "   NOT intact after $k: ${K_BAD[$k]}"; done
echo
echo "3. Bad input: $NCASE cases: $N_FAIL refused, $N_PASS accepted"
echo "   panics/crashes: $N_PANIC   hangs (>15 s): $N_HANG   failing runs that changed the store: $N_CHANGED"
echo "   outputs with raw ESC/BEL: $N_ESC   errors over 2 lines: $N_VERBOSE   errors over 1 KiB: $N_LONG"
echo "   refused with exit 1 (runtime failure) instead of 2-5: $N_RC1"
echo "   expected refusals that were accepted: $N_ACCEPTED${ACCEPTED_LIST:+ ($ACCEPTED_LIST)}"
echo "   dangling --db symlink: $DANGLING_NOTE"
if ((N_VERBOSE > 0)); then echo "   errors over 2 lines:"; while IFS= read -r l; do if [[ $l == "== "* ]]; then echo "     ${l#== }"; fi; done <bad/verbose.txt; fi
echo
if ((NOTES > 0)); then echo "NOTES: $NOTES"; while IFS= read -r l; do echo "  ${l:0:300}"; done <notes.txt; echo; fi
if ((DEFECTS > 0)); then
    echo "DEFECTS: $DEFECTS"; while IFS= read -r l; do echo "  ${l:0:400}"; done <defects.txt
    exit 1
fi
echo "no defects found"

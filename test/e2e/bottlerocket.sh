#!/usr/bin/env bash
# eksboot as a Bottlerocket bootstrap container, in the simulated VPC: the
# image `make image` built, run by a real OCI runtime (Debian's crun) in the
# node namespace with what host-ctr gives a bootstrap container, next to a
# stand-in of Bottlerocket's API server (test/e2e/brapi) on a unix socket.
# Sourced by run.sh, after lib.sh; run_bottlerocket_case runs one
# cases/bottlerocket-* folder.
#
# What host-ctr gives a bootstrap container (bottlerocket-core-kit
# sources/host-ctr/cmd/host-ctr/main.go, runCtr and withBootstrap): the
# host's network and PID namespaces (new mount, IPC and UTS ones), the
# host's /etc/hosts and /etc/resolv.conf, the host's / read-only at
# /.bottlerocket/rootfs, /local/bootstrap-containers/NAME read-write at
# /.bottlerocket/bootstrap-containers/NAME and .../current, /run/api.sock,
# /etc/os-release as /etc/bottlerocket-release; containerd's default
# capabilities plus CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_CHROOT,
# CAP_SYS_MODULE and CAP_AUDIT_CONTROL (not privileged); and its own stdio,
# which bootstrap-containers@.service sends on: stdout to the journal,
# stderr to the journal and the console (StandardError=journal+console,
# SyslogIdentifier=bootstrap-containers@NAME). Left out here: the SELinux
# labels and the seccomp profile (Debian runs neither here), and the mounts
# eksboot never reads (apiclient, /lib/modules, kernel sources, firmware,
# debugfs, the storage directories).
#
# A case sets what lib.sh's cases set (SIM_CONFIG, after_up, EXPECT_EXIT,
# EXPECT) and:
#   BR_DROP_SETTINGS     dotted settings the node's user data lacks (the
#                        TOML render wrote, less those)
#   BR_DROP_USER_DATA    keys the container's user data lacks
#   BR_USER_DATA_EXTRA   lines the container's user data adds ("wait: 30s")
#   EXPECT_CONSOLE       text the console must show
#   EXPECT_SET           text the API server's record must hold
#   EXPECT_NO_PATCH=1    eksboot sets nothing through the API

BR_CONTAINER=eksboot
BR_REGISTRY=111122223333.dkr.ecr.$REGION.amazonaws.com/eksboot

# br_tools: the image (make image, once a run) and the API stand-in. It
# runs as an if's condition, where set -e does not hold: every step is
# checked, and $SIM_BIN/oci, the sign it is done, comes last.
br_tools() {
	command -v crun >/dev/null || { log "missing crun: run make tools"; return 1; }
	[ -d "$SIM_BIN/oci" ] && return
	(cd "$REPO_DIR" && make -s image >/dev/null) || { log "make image failed"; return 1; }
	(cd "$REPO_DIR" && go build -o "$SIM_BIN/brapi" ./test/e2e/brapi) || { log "building brapi failed"; return 1; }
	rm -rf "$SIM_BIN/oci.part" && cp -r "$REPO_DIR/dist/oci" "$SIM_BIN/oci.part" && mv "$SIM_BIN/oci.part" "$SIM_BIN/oci" ||
		{ log "copying the image layout failed"; return 1; }
}

# br_node DIR: the node as Bottlerocket would have it from the TOML render
# wrote: its settings (as the API serves them), the container's user data,
# the host's trust store, and the OCI bundle of the image for this machine.
br_node() {
	local host=$SIM_DIR/host
	mkdir -p "$host/etc/pki/tls/certs" "$host/run" "$host/local/bootstrap-containers/$BR_CONTAINER"
	# The endpoints' CA is trusted through the host's store (the image has
	# none), as settings.pki would add a private CA.
	cp "$SIM_DIR/ca.pem" "$host/etc/pki/tls/certs/ca-bundle.crt"
	printf 'NAME=Bottlerocket\nID=bottlerocket\nVERSION_ID=1.26.0\n' >"$host/etc/os-release"
	local digest
	digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$SIM_BIN/oci/index.json")
	"$SIM_BIN/eksboot" render --target bottlerocket --region "$REGION" --cluster-name prod \
		--apiserver-endpoint "https://$API_HOST" --b64-cluster-ca "$(cluster_ca)" \
		--service-ipv4-cidr 10.100.0.0/16 --bootstrap-container "$BR_REGISTRY@$digest" >"$SIM_DIR/user-data.toml"
	python3 - "$SIM_DIR" "$host" "$BR_CONTAINER" "$(go env GOARCH)" "$SIM_BIN/oci" "$BR_DROP_SETTINGS" "$BR_DROP_USER_DATA" "$BR_USER_DATA_EXTRA" <<'PY'
import base64, json, os, sys, tarfile, tomllib
sim, host, name, arch, oci, drop_settings, drop_ud, extra_ud = sys.argv[1:9]
doc = tomllib.load(open(os.path.join(sim, "user-data.toml"), "rb"))["settings"]
bc = doc.pop("bootstrap-containers")[name]
assert bc["mode"] == "always" and bc["essential"] is True, bc
for key in drop_settings.split():
    *path, leaf = key.split(".")
    node = doc
    for p in path:
        node = node[p]
    del node[leaf]
json.dump(doc, open(os.path.join(sim, "settings.json"), "w"))
ud = [l for l in base64.b64decode(bc["user-data"]).decode().splitlines()
      if l.split(":")[0] not in drop_ud.split()]
ud.append("timeout: 1s")  # keep the cases fast
ud += extra_ud.splitlines()
with open(os.path.join(host, "local/bootstrap-containers", name, "user-data"), "w") as f:
    f.write("\n".join(ud) + "\n")

# The bundle: the layer of this machine's image, and a config.json with
# what host-ctr's spec holds.
def blob(d):
    return os.path.join(oci, "blobs", "sha256", d.split(":", 1)[1])
top = json.load(open(os.path.join(oci, "index.json")))
index = json.load(open(blob(top["manifests"][0]["digest"])))
man = next(m for m in index["manifests"] if m["platform"]["architecture"] == arch)
man = json.load(open(blob(man["digest"])))
conf = json.load(open(blob(man["config"]["digest"])))["config"]
rootfs = os.path.join(sim, "bundle", "rootfs")
os.makedirs(rootfs)
for layer in man["layers"]:
    with tarfile.open(blob(layer["digest"])) as t:
        t.extractall(rootfs, filter="data")
caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL", "CAP_AUDIT_WRITE",
        "CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_MODULE", "CAP_AUDIT_CONTROL"]
def bind(src, dst, *opts):
    return {"destination": dst, "type": "bind", "source": src, "options": ["rbind", *opts, "rprivate"]}
local = os.path.join(host, "local/bootstrap-containers", name)
spec = {
    "ociVersion": "1.0.2",
    "process": {
        "terminal": False, "user": {"uid": 0, "gid": 0},
        "args": conf.get("Entrypoint", []) + conf.get("Cmd", []),
        "env": conf.get("Env") or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "cwd": conf.get("WorkingDir") or "/",
        "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    },
    "root": {"path": "rootfs", "readonly": False},
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        bind("/etc/hosts", "/etc/hosts", "ro"),
        bind("/etc/resolv.conf", "/etc/resolv.conf", "ro"),
        bind(local, "/.bottlerocket/bootstrap-containers/" + name, "rw"),
        bind(os.path.join(host, "run/api.sock"), "/run/api.sock", "rw"),
        bind(os.path.join(host, "etc/os-release"), "/etc/bottlerocket-release", "ro"),
        bind(local, "/.bottlerocket/bootstrap-containers/current", "rw"),
        bind(host, "/.bottlerocket/rootfs", "ro"),
    ],
    "linux": {
        "namespaces": [{"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
        "rootfsPropagation": "rshared",
        "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
}
json.dump(spec, open(os.path.join(sim, "bundle", "config.json"), "w"), indent=1)
PY
}

# br_journald PID: the unit's stderr (stdin) as journald forwards it to the
# console (systemd journald-console.c: "[SECONDS.MICROS] " when printk
# times are on, then IDENTIFIER[PID]: MESSAGE), as get-console-output shows it.
br_journald() {
	awk -v id="bootstrap-containers@$BR_CONTAINER" -v pid="$1" '{ printf "[%5d.%06d] %s[%d]: %s\n", 8 + NR, NR * 1013, id, pid, $0 }'
}

run_bottlerocket_case() {
	local dir=$1
	SIM_ID=eb$RANDOM$RANDOM
	SIM_ID=${SIM_ID:0:10}
	NODE_NS=${SIM_ID}n VPC_NS=${SIM_ID}v
	sim_defaults
	EXPECT_EXIT=0 EXPECT=() SIM_CONFIG=() EXPECT_CONSOLE=() EXPECT_SET=() EXPECT_NO_PATCH=0
	BR_DROP_SETTINGS="" BR_DROP_USER_DATA="" BR_USER_DATA_EXTRA=""
	after_up() { :; }
	# shellcheck source=/dev/null
	source "$dir/case.sh"
	sim_up
	after_up || { log "the case's after_up failed"; return 1; }
	br_node
	local host=$SIM_DIR/host
	ns_n "$SIM_BIN/brapi" "$host/run/api.sock" "$SIM_DIR/settings.json" "$SIM_DIR/api-record.jsonl" 2>"$SIM_DIR/brapi.log" &
	PIDS+=($!)
	local _
	for _ in $(seq 100); do [ -S "$host/run/api.sock" ] && break; sleep 0.05; done
	local code=0 started=$SECONDS
	# crun wants one cgroup v2 hierarchy even when it manages no cgroups;
	# ip netns exec's fresh /sys has none, and this machine's is hybrid.
	# The mount lives in ip netns exec's own mount namespace.
	ns_n sh -c '[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || mount -t cgroup2 none /sys/fs/cgroup
		exec timeout 60 crun --cgroup-manager=disabled --root "$1/crun" run --bundle "$1/bundle" "$2"' sh "$SIM_DIR" "$SIM_ID" \
		>"$SIM_DIR/stdout" 2>"$SIM_DIR/stderr" || code=$?
	local ok=1
	[ "$code" = "$EXPECT_EXIT" ] || { log "the container exited $code, want $EXPECT_EXIT"; ok=0; }
	[ $((SECONDS - started)) -le 20 ] || { log "the container ran $((SECONDS - started))s"; ok=0; }
	# What an operator reads: the console, the journal in both forms.
	br_journald 4242 <"$SIM_DIR/stderr" >"$SIM_DIR/console.txt"
	awk -v id="bootstrap-containers@$BR_CONTAINER" '{ printf "Dec 02 00:12:%02d ip-10-0-1-10.eu-west-1.compute.internal %s[4242]: %s\n", NR % 60, id, $0 }' \
		<"$SIM_DIR/stderr" >"$SIM_DIR/journal.txt"
	python3 - "$SIM_DIR/stderr" "$BR_CONTAINER" >"$SIM_DIR/journal.json" <<'PY'
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    print(json.dumps({"__REALTIME_TIMESTAMP": str(1764634354000000 + n), "_SYSTEMD_UNIT": "bootstrap-containers@%s.service" % sys.argv[2],
                      "SYSLOG_IDENTIFIER": "bootstrap-containers@" + sys.argv[2], "_PID": "4242", "PRIORITY": "6",
                      "_TRANSPORT": "stdout", "MESSAGE": line.rstrip("\n")}))
PY
	[ ! -s "$SIM_DIR/stdout" ] || { log "stdout (the journal only) carries output: $(head -c 300 "$SIM_DIR/stdout")"; ok=0; }
	if [ "${#EXPECT[@]}" -gt 0 ] && ! python3 "$E2E_DIR/expect.py" "$SIM_DIR/stderr" --console "${EXPECT[@]}" >&2; then
		ok=0
	fi
	local e
	for e in "${EXPECT_CONSOLE[@]}"; do
		grep -qF -- "$e" "$SIM_DIR/console.txt" || { log "the console lacks '$e'"; ok=0; }
	done
	grep -qF '"uri":"/settings?prefix=kubernetes"' "$SIM_DIR/api-record.jsonl" || { log "eksboot did not read settings.kubernetes"; ok=0; }
	for e in "${EXPECT_SET[@]}"; do
		grep -qF -- "$e" "$SIM_DIR/api-record.jsonl" || { log "the API server's record lacks '$e'"; ok=0; }
	done
	if [ "$EXPECT_NO_PATCH" = 1 ] && grep -q '"method":"PATCH"' "$SIM_DIR/api-record.jsonl"; then
		log "eksboot set settings it should not have"; ok=0
	fi
	# explain reads the verdict back from each of them.
	local f ex
	for f in console.txt journal.txt journal.json; do
		ex=0
		"$SIM_BIN/eksboot" explain "$SIM_DIR/$f" >"$SIM_DIR/explain-$f.txt" || ex=$?
		[ "$ex" = "$code" ] || { log "explain of $f says exit $ex, the container $code"; ok=0; }
	done
	if grep -lF -f "$SIM_DIR/secrets.txt" "$SIM_DIR"/{stderr,stdout,console.txt,api-record.jsonl} "$SIM_DIR"/explain-*.txt >&2; then
		log "those outputs carry a credential or a token"; ok=0
	fi
	if [ "$ok" != 1 ]; then
		log "--- console:"; cat "$SIM_DIR/console.txt" >&2
		log "--- API calls:"; cat "$SIM_DIR/api-record.jsonl" >&2
		return 1
	fi
}

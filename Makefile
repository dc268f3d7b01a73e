# eksboot — make targets. `make test` is the one test command (README, CI).
SHELL := /bin/bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

# One version for the binary, its packages and its reports (eksboot_version);
# the commit says which build.
PKG_VERSION ?= 0.1.0
VERSION ?= $(PKG_VERSION)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
PLATFORMS := linux/amd64 linux/arm64 windows/amd64
# Executions, not seconds: a duration races Go 1.26's fuzz coordinator at
# its deadline (golang/go#75804, fixed in 1.27) and fails with "context
# deadline exceeded" having found nothing.
FUZZTIME ?= 20000x

IMDS_MOCK := github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v1.13.0
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
NFPM := github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2

APT_PACKAGES := dnsmasq-base nftables crun iproute2 util-linux dnsutils squid-openssl curl time file rpm zip unzip shellcheck systemd wine64 gcc-mingw-w64-x86-64-win32 awscli skopeo

.PHONY: all build image image-test package package-test test unit e2e windows demo bench fuzz lint tools clean

all: lint test build

## build: static binaries for every platform into dist/
build:
	@mkdir -p dist
	@for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		out=dist/eksboot-$$os-$$arch$$ext; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$out ./cmd/eksboot || exit 1; \
		echo "built $$out"; \
	done

## image: the OCI image index (linux/amd64, linux/arm64; only the static
## binary) as an OCI layout in dist/oci and a tarball, without a container
## daemon; reproducible: files and images are dated the commit's time
image: build
	@cd packaging/image && $(GO) run . -out $(CURDIR)/dist/oci -tar $(CURDIR)/dist/eksboot-oci.tar \
		-created $$(git log -1 --format=%ct 2>/dev/null || echo 0) -tag $(VERSION) \
		linux/amd64=$(CURDIR)/dist/eksboot-linux-amd64 linux/arm64=$(CURDIR)/dist/eksboot-linux-arm64 > $(CURDIR)/dist/oci.digest
	@echo "image index $$(cat dist/oci.digest) in dist/oci and dist/eksboot-oci.tar"

## image-test: two builds give one digest; skopeo reads what was built
image-test:
	packaging/image/test.sh

## package: .deb and .rpm (amd64, arm64) with nfpm, and the Windows zip
package: tools build
	@for arch in amd64 arm64; do \
		for fmt in deb rpm; do \
			GOARCH=$$arch VERSION=$(PKG_VERSION) nfpm package --config nfpm.yaml --packager $$fmt --target dist/ || exit 1; \
		done; \
	done
	@rm -f dist/eksboot-windows-amd64.zip
	@tmp=$$(mktemp -d) && cp dist/eksboot-windows-amd64.exe $$tmp/eksboot.exe && cp README.md LICENSE packaging/examples/windows-user-data.ps1 $$tmp/ && \
		(cd $$tmp && zip -q $(CURDIR)/dist/eksboot-windows-amd64.zip eksboot.exe README.md LICENSE windows-user-data.ps1) && rm -rf $$tmp
	@ls -1 dist/*.deb dist/*.rpm dist/*.zip

## package-test: install the .deb into a scratch root and run it; check the
## .rpm, the unit and every example
package-test: package
	packaging/test.sh

## tools: what the tests, demo and benchmark use: Debian packages (as root,
## when missing) and Go tools (the AWS IMDS mock, staticcheck)
tools:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "not root: cannot install $$missing"; fi; \
	fi
	@command -v ec2-metadata-mock >/dev/null || $(GO) install $(IMDS_MOCK)
	@command -v nfpm >/dev/null || $(GO) install $(NFPM)
	@command -v staticcheck >/dev/null || $(GO) install $(STATICCHECK)

## test: every test, as CI runs them; the namespace tests and the
## end-to-end cases need root, and say so plainly without it
# In this order, one after another even under make -j (GNU make before
# 4.4 then runs everything serially): image-test and the e2e's
# Bottlerocket cases both build dist/oci.
.NOTPARALLEL: test
test: tools unit image-test e2e windows

unit:
	$(GO) test -race -count=1 ./...
	cd test/nodeadm && $(GO) test -count=1 ./...
	cd test/e2e/vpcsim && $(GO) test -count=1 ./...
	cd packaging/image && $(GO) test -count=1 ./...

## e2e: every case of the simulated private VPC (test/e2e/cases), then the
## simulated fleet (test/e2e/fleet.sh), then real clients of the simulated
## AWS APIs (test/e2e/clients.sh: Debian's aws CLI and skopeo)
e2e: tools
	@if [ "$$(id -u)" != 0 ]; then echo "make e2e: NOT RUN: the simulated VPC needs root (network namespaces)"; exit 1; fi
	test/e2e/run.sh
	test/e2e/fleet.sh
	test/e2e/clients.sh

## windows: the Windows binary under Wine (test/windows/wine.sh), and its
## bootstrap line read by a PowerShell grammar (test/windows/psgrammar.sh)
windows: tools
	test/windows/wine.sh
	test/windows/psgrammar.sh

## demo: the main job on the simulated private VPC
demo: tools
	test/e2e/demo.sh

## bench: speed, memory, IMDS requests and sizes; writes BENCHMARKS.md
bench: tools
	test/e2e/bench.sh

## fuzz: each fuzz target for FUZZTIME executions (make fuzz FUZZTIME=5000000x for the long run)
FUZZ_TARGETS := inputs:FuzzParseCA inputs:FuzzParseEndpoint inputs:FuzzParseNetwork \
	inputs:FuzzUserData inputs:FuzzParseConfig diag:FuzzConsoleRoundTrip probes:FuzzDNSAnswer
# The differential target runs nodeadm once an execution: fewer of them.
NODEADM_FUZZTIME ?= 200x
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*} || exit 1; \
	done
	cd test/nodeadm && $(GO) test -run '^$$' -fuzz '^FuzzUserDataAgainstNodeadm$$' -fuzztime $(NODEADM_FUZZTIME) .

## lint: gofmt, go vet (Linux and Windows), staticcheck; the simulation's
## module too
lint: tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	staticcheck ./...
	cd test/e2e/vpcsim && $(GO) vet ./... && staticcheck ./...
	cd test/nodeadm && $(GO) vet ./... && staticcheck ./...

clean:
	rm -rf dist

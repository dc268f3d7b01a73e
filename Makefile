# eksboot — make targets. `make test` is the one test command (README, CI).
SHELL := /bin/bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
PLATFORMS := linux/amd64 linux/arm64 windows/amd64
FUZZTIME ?= 10s

IMDS_MOCK := github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v1.13.0
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build test unit fuzz lint tools clean

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

## tools: the Go tools the tests use (the AWS IMDS mock, staticcheck)
tools:
	@command -v ec2-metadata-mock >/dev/null || $(GO) install $(IMDS_MOCK)
	@command -v staticcheck >/dev/null || $(GO) install $(STATICCHECK)

## test: every test, as CI runs them
test: tools unit

unit:
	$(GO) test -race -count=1 ./...
	cd test/nodeadm && $(GO) test -count=1 ./...

## fuzz: each fuzz target for FUZZTIME
fuzz:
	@for f in FuzzParseCA FuzzParseEndpoint FuzzParseNetwork; do \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./bootstrap || exit 1; \
	done

## lint: gofmt, go vet, staticcheck
lint: tools
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet ./...
	staticcheck ./...

clean:
	rm -rf dist

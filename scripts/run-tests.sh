#!/bin/sh
# `npm test` after the build: every test file, with this run's temporary files in one folder removed at the end.
# Tests, and the servers, brokers and browsers they start, make folders under TMPDIR; a machine that runs CI for
# weeks kept every one of them (about 40 MB a run, the CDK synth's output most of it).
dir=$(mktemp -d "${TMPDIR:-/tmp}/ipgeo-test-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
TMPDIR=$dir node --import tsx --test $(find src test infra -name '*.test.ts' | sort)

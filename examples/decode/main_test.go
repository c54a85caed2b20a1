package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
)

func TestRun(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "webm", Picture: "testsrc", Segments: []testmedia.Segment{
		{Text: "One two three four five six seven.", Voice: "en-us"},
		{Silence: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), path, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "matroska,webm: audio true (opus), video true (vp8 640×360)") {
		t.Errorf("header line %q", lines[0])
	}
	// The last second is the 2 s of silence: far quieter than the speech.
	var loud, quiet float64
	for _, l := range lines {
		var sec int
		var db float64
		if n, _ := fmt.Sscanf(l, "second %d: %f dBFS", &sec, &db); n == 2 {
			if sec == 0 {
				loud = db
			}
			quiet = db
		}
	}
	if loud-quiet < 30 {
		t.Errorf("speech at %.1f dBFS and silence at %.1f dBFS are not told apart:\n%s", loud, quiet, out.String())
	}
}

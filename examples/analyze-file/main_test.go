package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
)

func TestRun(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "webm", Picture: "testsrc", Segments: []testmedia.Segment{
		{Text: "I joined the team as its second engineer and built the payment service.", Voice: "en-us"},
		{Silence: 3},
		{Text: "It now handles two million requests a day.", Voice: "en-us"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), path, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"voice score", "tremor", "pause", "tone", "speed", "long_pause"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
)

func TestRun(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	dir := t.TempDir()
	path, err := testmedia.Make(dir, testmedia.Recording{Format: "webm", Segments: []testmedia.Segment{
		{Text: "Um, I rebuilt our search so results come back in under a second.", Voice: "en-us"},
		{Silence: 1},
		{Text: "Uh, I measured it before and after, and the time fell from four seconds to one.", Voice: "en-us"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	vtt := filepath.Join(dir, "answer.vtt")
	captionText := "WEBVTT\n\n00:00.000 --> 00:04.000\nUm, I rebuilt our search so results come back in under a second.\n\n" +
		"00:05.000 --> 00:10.000\nUh, I measured it before and after, and the time fell from four seconds to one.\n"
	if err := os.WriteFile(vtt, []byte(captionText), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), path, vtt, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"transcript: Um, I rebuilt", "filler words: 2", "content (offline)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestParseVTTRejectsBadTimings(t *testing.T) {
	for _, bad := range []string{"WEBVTT\n", "WEBVTT\n\n00:05.000 --> 00:01.000\nbackwards\n", "WEBVTT\n\nxx --> yy\ntext\n"} {
		if _, err := parseVTT(strings.NewReader(bad)); err == nil {
			t.Errorf("parseVTT(%q) accepted it", bad)
		}
	}
}

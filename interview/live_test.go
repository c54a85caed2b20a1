package interview_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/vision"
)

// recordingStream plays the part of an upload in progress: the recording's bytes arrive in
// chunks, as MediaRecorder hands them over, through a pipe that blocks until the next one.
func recordingStream(t *testing.T, data []byte, chunk int) io.Reader {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		for len(data) > 0 {
			n := min(chunk, len(data))
			if _, err := pw.Write(data[:n]); err != nil {
				return
			}
			data = data[n:]
			time.Sleep(time.Millisecond)
		}
		pw.Close()
	}()
	t.Cleanup(func() { pr.Close() })
	return pr
}

// sameReport compares two results field for field, except the wall time they took.
func sameReport(t *testing.T, name string, live, whole *interview.Result) {
	t.Helper()
	live.Media.Seconds, whole.Media.Seconds = 0, 0
	a, _ := json.Marshal(live)
	b, _ := json.Marshal(whole)
	if !bytes.Equal(a, b) {
		t.Errorf("%s: the live analysis differs from Analyze on the same bytes:\nlive  %.600s\nwhole %.600s", name, a, b)
	}
}

func TestLiveEqualsAnalyze(t *testing.T) {
	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := interview.Pipeline{Vision: va}
	first := speechSeconds(t, answer[1])
	for _, picture := range []string{"", "testsrc", astronaut(t)} {
		name := picture
		if name == "" {
			name = "audio only"
		}
		data, err := os.ReadFile(recording(t, picture))
		if err != nil {
			t.Fatal(err)
		}
		opts := interview.Options{Language: "en", Series: true}
		whole, err := p.Analyze(context.Background(), bytes.NewReader(data), opts)
		if err != nil {
			t.Fatal(err)
		}
		var (
			mu   sync.Mutex
			cues []interview.Cue
		)
		opts.Cues = func(c interview.Cue) {
			mu.Lock()
			defer mu.Unlock()
			cues = append(cues, c)
		}
		live, err := p.Analyze(context.Background(), recordingStream(t, data, 4096), opts)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, name, live, whole)
		t.Logf("%s: cues %+v", name, cues)

		// The 3-second silence between the sentences is cued once, within the second
		// after it reached 3 s.
		var pauses, noFace int
		for i, c := range cues {
			if i > 0 && c.Time-cues[i-1].Time < 5 {
				t.Errorf("%s: cues %+v and %+v are less than the 5-s gap apart", name, cues[i-1], c)
			}
			switch c.Kind {
			case interview.CuePause:
				pauses++
				if want := 0.5 + first + 3; c.Time < want-0.3 || c.Time > want+1.3 || math.Abs(c.Since-(0.5+first)) > 0.4 {
					t.Errorf("%s: pause cue %+v, want one at %.1f s about a pause from %.1f s", name, c, want, 0.5+first)
				}
			case interview.CueNoFace:
				noFace++
				if c.Since > 0.3 || c.Time < 2.9 || c.Time > 3.5 {
					t.Errorf("%s: no-face cue %+v, want one at 3 s about the start", name, c)
				}
			}
			if c.Ko == "" || c.En == "" {
				t.Errorf("%s: cue %+v without its words", name, c)
			}
		}
		if pauses != 1 {
			t.Errorf("%s: %d pause cues, want 1", name, pauses)
		}
		// ffmpeg's test pattern has no face from the first frame on; the astronaut is always
		// in view; audio has no frames at all.
		if want := map[bool]int{true: 1, false: 0}[picture == "testsrc"]; noFace != want {
			t.Errorf("%s: %d no-face cues, want %d", name, noFace, want)
		}
	}
}

func TestLiveCancels(t *testing.T) {
	data, err := os.ReadFile(recording(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	// The upload goes on trickling for ever (the browser keeps the connection open): the
	// analysis must end when its context is cancelled, not when the stream does.
	pr, pw := io.Pipe()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i = (i + 512) % len(data) {
			select {
			case <-stop:
				pw.Close()
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := pw.Write(data[i:min(i+512, len(data))]); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var p interview.Pipeline
	go func() {
		_, err := p.Analyze(ctx, pr, interview.Options{Cues: func(interview.Cue) {}})
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled live analysis returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the live analysis did not end after its context was cancelled")
	}
}

package media_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nevermind-ai/nevermind/media"
)

// The failures that are not about the bytes of a recording still wrap a sentinel.
func TestUsageErrorsWrapSentinels(t *testing.T) {
	ctx := context.Background()
	if _, err := media.Open(ctx, t.TempDir(), media.Options{}); !errors.Is(err, media.ErrCorrupt) {
		t.Errorf("Open(directory): err = %v, want media.ErrCorrupt", err)
	}

	path := fixture(t, "vp8-opus.webm")
	d, err := media.Open(ctx, path, media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range d.Frames(ctx) {
		break
	}
	if err := onlyError(ctx, d); !errors.Is(err, media.ErrClosed) {
		t.Errorf("second Frames: %v, want media.ErrClosed", err)
	}

	d.Close()
	if _, err := d.Audio(ctx); !errors.Is(err, media.ErrClosed) {
		t.Errorf("Audio after Close: err = %v, want media.ErrClosed", err)
	}

	d, err = media.Open(ctx, path, media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if err := onlyError(ctx, d); !errors.Is(err, media.ErrClosed) {
		t.Errorf("Frames after Close: %v, want media.ErrClosed", err)
	}
}

// onlyError iterates d.Frames and returns the error it yields, or an error saying
// that it yielded a frame or nothing.
func onlyError(ctx context.Context, d *media.Decoder) error {
	var got []error
	for f, err := range d.Frames(ctx) {
		if f != nil {
			return errors.New("yielded a frame")
		}
		got = append(got, err)
	}
	if len(got) != 1 {
		return fmt.Errorf("yielded %d errors, want 1", len(got))
	}
	return got[0]
}

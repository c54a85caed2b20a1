package interview

import (
	"context"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/vision"
)

// frameAnalysis runs the vision tracker in its own goroutine over frames handed to it
// through a small buffer, so decoding and the models overlap and only a few frames are
// ever in memory.
type frameAnalysis struct {
	fps     float64
	frames  chan *media.Frame
	stop    chan struct{} // closed when the tracker gives up: stop sending frames
	done    chan struct{}
	results []vision.FrameResult
	err     error
}

func (p *Pipeline) watch(ctx context.Context, d *media.Decoder, opts Options, cues *cueWatch) *frameAnalysis {
	fps := opts.FPS
	if fps <= 0 {
		fps = media.DefaultFPS
	}
	a := &frameAnalysis{fps: fps, frames: make(chan *media.Frame, 4), stop: make(chan struct{}), done: make(chan struct{})}
	tracker := p.Vision.NewTracker(fps)
	go func() {
		defer close(a.done)
		a.results, a.err = guard(p.logger(), nevermind.Vision, func() ([]vision.FrameResult, error) {
			var out []vision.FrameResult
			for f := range a.frames {
				r, err := tracker.Process(ctx, f)
				d.Recycle(f) // the tracker keeps no pixels; the next frame reuses them
				if err != nil {
					return nil, err
				}
				if cues != nil {
					cues.frame(r)
				}
				out = append(out, r)
			}
			return out, nil
		})
		if a.err != nil {
			close(a.stop)
			for range a.frames { // let the sender finish its select
			}
		}
	}()
	return a
}

// feed decodes the video into the tracker. A decoding error ends the whole analysis;
// a tracker that gave up only ends the video part, and decoding goes on for the audio.
func (a *frameAnalysis) feed(ctx context.Context, d *media.Decoder) error {
	defer close(a.frames)
	for f, err := range d.Frames(ctx) {
		if err != nil {
			return err
		}
		select {
		case a.frames <- f:
		case <-a.stop:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (a *frameAnalysis) wait() {
	if a != nil {
		<-a.done
	}
}

// report summarises the frames; speech, from the voice analysis, lets it measure eye
// contact while the candidate was speaking.
func (a *frameAnalysis) report(opts Options, speech []nevermind.Interval) (*vision.Report, error) {
	<-a.done
	if a.err != nil {
		return nil, a.err
	}
	if len(a.results) == 0 {
		return nil, vision.ErrNoFrames
	}
	vo := opts.Vision
	vo.FPS, vo.Series, vo.Speech = a.fps, opts.Series, speech
	return vision.Summarize(a.results, a.fps, vo), nil
}

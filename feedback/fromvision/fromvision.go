// Package fromvision converts package vision's Report into the
// feedback.VisionReport that feedback.Summarize and feedback/report read.
//
// It is a package of its own because vision depends on the media package
// (cgo and FFmpeg) for its frame type, while feedback is pure Go:
//
//	vr, err := analyzer.Analyze(ctx, frames, vision.AnalyzeOptions{Series: true})
//	…
//	sum, err := feedback.Summarize(feedback.Input{Vocal: voice, Vision: fromvision.Report(vr)}, feedback.Options{})
package fromvision

import (
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/vision"
)

// Report copies what feedback uses from r; nil gives nil. The result shares
// no memory with r.
func Report(r *vision.Report) *feedback.VisionReport {
	if r == nil {
		return nil
	}
	m := r.Metrics
	out := &feedback.VisionReport{
		Duration: r.Duration,
		Face:     feedback.VisionFace{Status: r.Face.Status, ErrorCode: r.Face.ErrorCode, Summary: r.Face.Summary},
		Metrics: feedback.VisionMetrics{
			EyeContactPercent:              clone(m.EyeContactPercent),
			EyeContactWhileSpeakingPercent: clone(m.EyeContactWhileSpeakingPercent),
			LongestLookAwaySeconds:         clone(m.LongestLookAwaySeconds),
			HeadMovementDegPerSec:          clone(m.HeadMovementDegPerSec),
			HeadStability:                  clone(m.HeadStability),
			SmilePercent:                   clone(m.SmilePercent),
			NeutralPercent:                 clone(m.NeutralPercent),
			NoFaceSeconds:                  m.NoFaceSeconds,
			UnmeasuredSeconds:              m.UnmeasuredSeconds,
		},
		Frames:   feedback.VisionFrameCount{Sampled: r.Frames.Sampled, WithFace: r.Frames.WithFace},
		Timeline: make([]feedback.VisionMoment, 0, len(r.Timeline)),
	}
	if p := r.Pose; p != nil {
		rated := func(x vision.Rated) feedback.VisionRated {
			return feedback.VisionRated{Value: x.Value, Rating: x.Rating}
		}
		out.Pose = &feedback.VisionPose{Overall: rated(p.Overall), Shoulder: rated(p.Shoulder), HeadTilt: rated(p.HeadTilt), Hand: rated(p.Hand)}
	}
	for _, mo := range r.Timeline {
		ev := make(map[string]float64, len(mo.Evidence))
		for k, v := range mo.Evidence {
			ev[k] = v
		}
		out.Timeline = append(out.Timeline, feedback.VisionMoment{Start: mo.Start, End: mo.End, Kind: mo.Kind, Evidence: ev})
	}
	for _, f := range r.Series {
		out.Series = append(out.Series, feedback.VisionFrame{
			Time: f.Time, State: string(f.State), LookingAtCamera: clone(f.LookingAtCamera),
			Posture: feedback.VisionFramePosture{Present: f.Posture.Present, Shoulder: f.Posture.Shoulder, Head: f.Posture.Head, Hand: f.Posture.Hand},
		})
	}
	return out
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

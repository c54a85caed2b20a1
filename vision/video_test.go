package vision

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nevermind-ai/nevermind/media"
)

// Test videos are made from the test photos with Debian's ffmpeg CLI; each
// recipe is the filter graph below, applied to astronaut.png (input 0,
// looped) over a grey 640×360 background (input 1).

const testFPS = 5

func needFFmpeg(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg CLI not installed (apt-get install ffmpeg)")
	}
}

// makeVideo renders seconds of filter graph (ending in [v]) to an H.264 MP4
// and returns its path. codec overrides the encoder arguments.
func makeVideo(t testing.TB, name, graph string, seconds float64, codec ...string) string {
	t.Helper()
	needFFmpeg(t)
	src := astronautPath(t)
	out := filepath.Join(t.TempDir(), name)
	if len(codec) == 0 {
		codec = []string{"-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p"}
		out += ".mp4"
	}
	args := []string{"-hide_banner", "-loglevel", "error", "-y",
		"-loop", "1", "-framerate", "25", "-i", src,
		"-f", "lavfi", "-i", "color=c=0x808080:s=640x360:r=25",
		"-filter_complex", graph, "-map", "[v]", "-t", ftoa(seconds), "-r", "25"}
	args = append(append(args, codec...), out)
	if b, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	return out
}

func ftoa(f float64) string { return fmtFloat(f) }

// analyzeVideo decodes path with the media package at testFPS and runs
// Analyze with the series.
func analyzeVideo(t testing.TB, path string, opts AnalyzeOptions) *Report {
	t.Helper()
	ctx := context.Background()
	d, err := media.Open(ctx, path, media.Options{FPS: testFPS, Width: 640})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	opts.FPS = testFPS
	opts.Series = true
	r, err := testAnalyzer(t).Analyze(ctx, d.Frames(ctx), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDebugSeries(t *testing.T) {
	for _, g := range []string{
		"[0]scale=-1:360[f];[1][f]overlay=140:0,format=rgb24[v]",
		"[0]scale=-1:360,hflip[f];[1][f]overlay=140:0,format=rgb24[v]",
		"[0]scale=-1:360,perspective=x0=0:y0=0:x1=W:y1=0.2*H:x2=0:y2=H:x3=W:y3=0.8*H:sense=destination[f];[1][f]overlay=140:0,format=rgb24[v]",
		"[0]scale=-1:360,perspective=x0=0:y0=0.2*H:x1=W:y1=0:x2=0:y2=0.8*H:x3=W:y3=H:sense=destination[f];[1][f]overlay=140:0,format=rgb24[v]",
	} {
		p := makeVideo(t, "still", g, 0.6)
		r := analyzeVideo(t, p, AnalyzeOptions{})
		for _, f := range r.Series {
			t.Logf("%.1f %s faces=%d box=%.0f yaw=%.1f pitch=%.1f roll=%.1f ear=%.3f eh=%.3f ev=%.3f mouth=%.4f expr=%s", f.Time, f.State, f.Faces, *f.Face, deref(f.Yaw), deref(f.Pitch), deref(f.Roll), deref(f.EAR), deref(f.EyeH), deref(f.EyeV), deref(f.Mouth), f.Expression)
		}
	}
}

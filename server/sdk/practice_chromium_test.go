package sdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
)

// fakeDevices makes the camera and microphone Chromium pretends to have: the astronaut
// photo (a real face) as a 640×480 Y4M, and espeak-ng's Korean answer with a 4.5 s pause
// in the middle as a 48 kHz WAV. Chromium loops both.
func fakeDevices(t *testing.T) (video, audio string) {
	t.Helper()
	dir := t.TempDir()
	voice, err := testmedia.Make(dir, testmedia.Recording{Format: "wav", Segments: []testmedia.Segment{
		answer[0], {Silence: 4.5}, answer[2], {Silence: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	audio = filepath.Join(dir, "microphone.wav")
	video = filepath.Join(dir, "camera.y4m")
	for _, args := range [][]string{
		{"sox", voice, "-r", "48000", "-b", "16", audio},
		{"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-framerate", "10", "-i", astronaut(t),
			"-t", "10", "-vf", "scale=640:480:force_original_aspect_ratio=increase,crop=640:480,format=yuv420p", video},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	return video, audio
}

// TestPracticePageInChromium answers two questions on the embedded practice page in
// headless Chromium with a fake camera and microphone made from a real face and speech
// (fakeDevices): the pause cue during the first answer and no false look-away cue (the
// photo looks into the lens, and the page calibrates on the first seconds of each answer).
func TestPracticePageInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian package chromium); scripts/deps.sh installs it")
	}
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	camera, microphone := fakeDevices(t)
	base := practiceServer(t)

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", camera),
		chromedp.Flag("use-file-for-fake-audio-capture", microphone),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-quic", true),
	)...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	b, err := newChromium(ctx)
	if err != nil {
		t.Fatal(err)
	}
	practise(ctx, t, b, base, []practiceAnswer{
		// The 4.5 s pause after the first sentence (5 s in) is a voice problem moment.
		{length: 14 * time.Second, cues: []interview.CueKind{interview.CuePause}, never: []interview.CueKind{interview.CueLookAway},
			seek: "voice", seekFrom: 2},
		{length: 7 * time.Second, never: []interview.CueKind{interview.CueLookAway}},
	})
}

// chromium is a practiceBrowser over the DevTools protocol (chromedp).
type chromium struct {
	mu     sync.Mutex
	logged []string
}

// newChromium starts the browser of ctx (a chromedp context) and listens to what its page
// reports.
func newChromium(ctx context.Context) (*chromium, error) {
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		return nil, err
	}
	c := &chromium{}
	err := chromedp.Listen(ctx, func(ev any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			c.logged = append(c.logged, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				c.logged = append(c.logged, fmt.Sprintf("console.%s", ev.Type))
			}
		case *cdplog.EventEntryAdded: // failed requests among them
			if ev.Entry.Level == cdplog.EntryLevelError {
				c.logged = append(c.logged, "log: "+ev.Entry.Text)
			}
		}
	})
	return c, err
}

func (c *chromium) navigate(ctx context.Context, url string) error {
	return chromedp.Do(ctx, chromedp.Navigate(url))
}

func (c *chromium) click(ctx context.Context, selector string) error {
	return chromedp.Do(ctx, chromedp.Click(selector))
}

func (c *chromium) eval(ctx context.Context, expr string) (json.RawMessage, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
}

func (c *chromium) screenshot(ctx context.Context) ([]byte, error) {
	return chromedp.Run(ctx, chromedp.FullScreenshot(100))
}

func (c *chromium) problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.logged)
}

package sdk_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/servertest"
	"github.com/nevermind-ai/nevermind/vision"
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
// headless Chromium with a fake camera and microphone: sign-in in development mode,
// questions from a cover letter, two recorded answers streamed live with the page's gaze
// calibration, the pause cue during the first and no false look-away cue, the feedback
// after each with a playable replay, and no console errors.
func TestPracticePageInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian package chromium); scripts/deps.sh installs it")
	}
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	camera, microphone := fakeDevices(t)
	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Development mode, as `nevermind serve` runs with no configuration.
	ts := servertest.New(t, wired(&interview.Pipeline{Vision: va}), func(c *server.Config) { c.JWTSecret = "" })
	base := ts.URL

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

	var mu sync.Mutex
	var problems []string
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				problems = append(problems, fmt.Sprintf("console.%s", ev.Type))
			}
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				problems = append(problems, "log: "+ev.Entry.Text)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	shots := t.TempDir()
	shot := func(name string) {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	defer func() { t.Logf("screenshots in %s", shots) }()

	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/practice/"),
		chromedp.WaitVisible("#setup"),
		chromedp.SetValue("#company", "토스"),
		chromedp.SetValue("#role", "백엔드 개발자"),
		chromedp.SetValue("#letter", "결제 시스템의 장애를 줄이기 위해 모니터링을 새로 만들었고, 대응 시간을 삼십 분에서 오 분으로 줄였습니다."),
		chromedp.Click("#questionsButton"),
		chromedp.WaitVisible("#room"),
	); err != nil {
		t.Fatalf("setup: %v (problems %v)", err, problems)
	}

	for i, length := range []time.Duration{14 * time.Second, 7 * time.Second} {
		if err := chromedp.Do(ctx, chromedp.Sleep(time.Second), chromedp.Click("#record"), chromedp.Sleep(length)); err != nil {
			t.Fatal(err)
		}
		shot(fmt.Sprintf("answer%d-recording", i+1))
		cues, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#cues li")].map(li => li.dataset.kind)`))
		if err != nil {
			t.Fatal(err)
		}
		stopped := time.Now()
		if err := chromedp.Do(ctx, chromedp.Click("#record"), chromedp.WaitVisible("#feedback"), chromedp.Poll[chromedp.Void](`(() => {
			const d = document.getElementById("report").contentDocument; return d && d.querySelector(".card"); })()`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(time.Minute))); err != nil {
			t.Fatalf("answer %d: %v (problems %v)", i+1, err, problems)
		}
		t.Logf("answer %d: cues %v; feedback on screen %.2f s after stop", i+1, cues, time.Since(stopped).Seconds())
		if i == 0 && !strings.Contains(strings.Join(cues, ","), "long_pause") {
			t.Errorf("answer 1 has a 4.5 s pause, but the cues shown were %v", cues)
		}
		// The photo looks into the lens throughout, and the page calibrates on the first
		// seconds of each answer.
		if strings.Contains(strings.Join(cues, ","), "look_away") {
			t.Errorf("answer %d: a look-away cue for a face looking into the lens (cues %v)", i+1, cues)
		}
		// The feedback shows the CLI's HTML report, with its metric cards, in the page's
		// language, and a replay the browser can play.
		report, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(() => { const d = document.getElementById("report").contentDocument;
			return { lang: d.documentElement.lang, cards: d.querySelectorAll(".card[data-metric]").length, height: document.getElementById("report").offsetHeight }; })()`))
		if err != nil || report["lang"] != "ko" || report["cards"].(float64) < 3 || report["height"].(float64) < 300 {
			t.Errorf("answer %d: the report shown is %v (%v)", i+1, report, err)
		}
		ready, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise((ok) => { const v = document.getElementById("replay");
			const check = () => v.readyState >= 2 ? v.play().then(() => setTimeout(() => ok(v.currentTime), 800), () => ok(-1)) : setTimeout(check, 100); check(); })`,
			chromedp.EvalAwaitPromise))
		if err != nil || ready <= 0 {
			t.Errorf("answer %d: the replay did not play (current time %v, %v)", i+1, ready, err)
		}
		shot(fmt.Sprintf("answer%d-feedback", i+1))
		if i == 0 {
			// The 4.5 s pause is a problem moment; its marker seeks the replay to it.
			seek, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`new Promise((ok) => {
				const b = [...document.querySelectorAll("#timeline button[data-modality=voice]")].pop();
				if (!b) return ok([]); const v = document.getElementById("replay");
				v.addEventListener("seeked", () => ok([Number(b.dataset.start), v.currentTime]), { once: true }); b.click(); })`, chromedp.EvalAwaitPromise))
			if err != nil || len(seek) != 2 || seek[0] < 2 || seek[1] < seek[0]-0.1 || seek[1] > seek[0]+1 {
				t.Errorf("answer 1: clicking the pause's timeline marker gave [start, replay time] %v (%v)", seek, err)
			}
			// The English switch shows the English report.
			switched, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise((ok) => { document.getElementById("lang").click();
				const until = Date.now() + 10000; const check = () => { const d = document.getElementById("report").contentDocument;
				if (d && d.documentElement.lang === "en" || Date.now() > until) return ok(d ? d.documentElement.lang : ""); setTimeout(check, 50); }; check(); })`,
				chromedp.EvalAwaitPromise))
			if err != nil || switched != "en" {
				t.Errorf("answer 1: after the language switch the report is in %q (%v)", switched, err)
			}
			trend, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#trends tbody td").textContent`))
			if err != nil || trend == "" || strings.ContainsFunc(trend, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) {
				t.Errorf("answer 1: in English the history's first metric is %q (%v)", trend, err)
			}
			shot("answer1-feedback-en")
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("lang").click()`)); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 {
			if err := chromedp.Do(ctx, chromedp.Click("#next"), chromedp.WaitVisible("#room")); err != nil {
				t.Fatal(err)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("the page reported problems: %v", problems)
	}
}

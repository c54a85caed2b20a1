package report

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/feedback/internal/speech"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// sample analyses a synthetic English answer with three long silences and
// summarises it together with an offline content evaluation, against one
// earlier (more hesitant) attempt.
func sample(t testing.TB, lang string) (*feedback.Summary, feedback.Input) {
	t.Helper()
	r, earlierVoice := voices(t)
	ev, err := questions.EvaluateOffline(questions.Answer{Question: "Tell me about a time you fixed an unreliable system.", Text: strings.Join(speech.English, " "), Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	earlier, err := feedback.Summarize(feedback.Input{Voice: earlierVoice, Content: ev}, feedback.Options{Language: lang})
	if err != nil {
		t.Fatal(err)
	}
	in := feedback.Input{Voice: r, Content: ev, Vision: videoAround(r), Failed: nevermind.Failures{nevermind.Transcript: errors.New("stt: no speech-to-text backend configured")}}
	s, err := feedback.Summarize(in, feedback.Options{Language: lang, History: []feedback.Summary{*earlier}})
	if err != nil {
		t.Fatal(err)
	}
	return s, in
}

// analysed holds the two voice analyses sample uses, made once per test
// binary (synthesis and analysis take seconds; the reports are only read).
var analysed struct {
	sync.Mutex
	now, earlier *vocal.Report
}

func voices(t testing.TB) (now, earlier *vocal.Report) {
	analysed.Lock()
	defer analysed.Unlock()
	if analysed.now == nil {
		v := speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}
		parts := speech.Fluent(speech.English[:3], 3.0)
		parts = append(parts, speech.Piece{Pause: 0.4})
		parts = append(parts, speech.Fluent(speech.English[3:], 0.4)...)
		analysed.now = speech.Analyze(t, speech.Synth(t, v, parts...), vocal.Options{Language: "en", Series: true})
		analysed.earlier = speech.Analyze(t, speech.Synth(t, v, speech.Fluent(speech.English, 3.5)...), vocal.Options{Language: "en"})
	}
	return analysed.now, analysed.earlier
}

// videoAround builds a video report to go with a voice analysis, at 5
// frames per second: the candidate looks away during the first long pause,
// leaves the frame for a second in the middle and raises a shoulder near
// the end. The values are set by hand so that the plots' expectations are
// exact; feedback's TestLookAwayDuringPause runs vision.Summarize on such a
// scenario.
func videoAround(r *vocal.Report) *vision.Report {
	const fps = 5.0
	dur := r.Quality.DurationS
	p := r.Fluency.Pauses.Long[0]
	v := &vision.Report{Duration: dur, Face: vision.FaceReport{Status: "ok"}}
	var looking, face int
	for i := 0; float64(i)/fps < dur; i++ {
		t := float64(i) / fps
		f := vision.FrameResult{Time: t, State: vision.StateFace, Posture: vision.PostureFrame{Present: true, Shoulder: 1, Head: 1, Hand: 1}}
		switch {
		case t >= dur/2 && t < dur/2+1.2:
			f.State, f.Posture = vision.StateNoFace, vision.PostureFrame{}
		case i == 5:
			f.GazeReason = vision.GazeEyesClosed // a blink: no verdict
		default:
			look := !(t >= p.Start+0.2 && t < p.End-0.2)
			f.LookingAtCamera = &look
			face++
			if look {
				looking++
			}
			if t > dur-6 && t < dur-4 {
				f.Posture.Shoulder = 0.6
			}
		}
		v.Series = append(v.Series, f)
	}
	pct := func(x float64) *float64 { return &x }
	v.Metrics = vision.Metrics{EyeContactPercent: pct(100 * float64(looking) / float64(face)),
		LongestLookAwaySeconds: pct(p.End - p.Start - 0.4), HeadStability: pct(0.9), HeadMovementDegPerSec: pct(3), SmilePercent: pct(12),
		Calibration: &vision.Calibration{Source: vision.CalibrationExplicit, Start: 0, End: 2, Frames: 10}}
	v.Pose = &vision.PoseReport{Overall: vision.Rated{Value: 95}, Shoulder: vision.Rated{Value: 88}, HeadTilt: vision.Rated{Value: 99}, Hand: vision.Rated{Value: 100}}
	v.Timeline = []nevermind.Moment{
		{Start: p.Start + 0.2, End: p.End - 0.2, Kind: "look_away", Evidence: map[string]float64{"duration_s": p.End - p.Start - 0.4}},
		{Start: dur / 2, End: dur/2 + 1.2, Kind: "no_face", Evidence: map[string]float64{"duration_s": 1.2}},
		{Start: dur - 6, End: dur - 4, Kind: "shoulder_raised", Evidence: map[string]float64{"side_left": 1}},
	}
	return v
}

func TestText(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) {
			s, _ := sample(t, lang)
			var b bytes.Buffer
			if err := Text(&b, s, Options{Title: "answer.webm"}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			t.Logf("\n%s", out)
			for _, m := range s.Metrics {
				if !strings.Contains(out, m.Label.In(lang)) || !strings.Contains(out, m.Finding.In(lang)) {
					t.Errorf("metric %s missing from the table", m.ID)
				}
			}
			for _, want := range []string{"answer.webm", s.OverallGrade.Label().In(lang), "1. ", s.Practice[0].Text.In(lang)[:10], "no speech-to-text backend"} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q", want)
				}
			}
			if top := s.TopMoments(5); len(top) > 0 && !strings.Contains(out, clock(top[0].Start)) {
				t.Errorf("top moment at %s not listed", clock(top[0].Start))
			}
			// Table rows line up in display columns, Hangul counted double.
			var cols []int
			for _, line := range strings.Split(out, "\n") {
				for _, m := range s.Metrics {
					if strings.HasPrefix(line, "  "+m.Label.In(lang)+" ") {
						i := strings.Index(line, m.GradeLabel.In(lang))
						cols = append(cols, width(line[:i]))
					}
				}
			}
			for _, c := range cols {
				if c != cols[0] {
					t.Errorf("grade column not aligned: %v", cols)
					break
				}
			}
		})
	}
}

// chromium renders a page headless and returns the DOM after load and the
// browser's log. Debian package chromium; the test skips without it.
func chromium(t *testing.T, page string, extra ...string) (dom, log string) {
	t.Helper()
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium is not installed (Debian package chromium); CI installs it")
	}
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000"}, extra...)
	cmd := exec.Command(bin, append(args, "--dump-dom", "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// pageProblems finds console messages and failed loads in chromium's log.
var pageProblems = regexp.MustCompile(`(?m)^.*(CONSOLE|Uncaught|Failed to load resource|net::ERR_|Refused to).*$`)

func TestChromiumDetectsProblems(t *testing.T) {
	// A page with a console error and an external image: the check must see
	// both, or the clean result below proves nothing.
	page := filepath.Join(t.TempDir(), "bad.html")
	bad := `<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script></body></html>`
	if err := os.WriteFile(page, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, log := chromium(t, page)
	found := pageProblems.FindAllString(log, -1)
	if len(found) == 0 || !strings.Contains(log, "boom") {
		t.Fatalf("the console error was not detected; log:\n%s", log)
	}
}

func TestHTMLInChromium(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) { htmlInChromium(t, lang) })
	}
}

func htmlInChromium(t *testing.T, lang string) {
	s, in := sample(t, lang)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := HTML(&b, s, in, Options{Title: "answer.webm"}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	// Self-contained: no scripts, no links, nothing fetched.
	for _, bad := range []string{"<script", "<link", "src=", "url(", "http://", "https://", "@import"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	dom, log := chromium(t, page, "--window-size=1100,2600", "--screenshot="+shot, "--hide-scrollbars")
	if p := pageProblems.FindAllString(log, -1); len(p) > 0 {
		t.Errorf("console errors or failed loads:\n%s", strings.Join(p, "\n"))
	}
	for _, plot := range []string{"pitch", "intensity", "eye_contact", "posture", "moments"} {
		re := regexp.MustCompile(`data-plot="` + plot + `"[\s\S]*?</figure>`)
		fig := re.FindString(dom)
		if fig == "" {
			t.Errorf("plot %s missing from the rendered DOM", plot)
			continue
		}
		if (plot == "pitch" || plot == "intensity" || plot == "posture") && !regexp.MustCompile(`<path class="[a-z]+" d="M[\d.]+ [\d.]+L`).MatchString(fig) {
			t.Errorf("plot %s has no drawn line", plot)
		}
		if (plot == "pitch" || plot == "intensity") && strings.Count(fig, `<rect class="pause"`) != len(in.Voice.Fluency.Pauses.Long) {
			t.Errorf("plot %s shades %d pauses, the voice report has %d long ones", plot, strings.Count(fig, `<rect class="pause"`), len(in.Voice.Fluency.Pauses.Long))
		}
	}
	if n := strings.Count(dom, `class="card `); n != len(s.Metrics) {
		t.Errorf("%d metric cards, want %d", n, len(s.Metrics))
	}
	if !strings.Contains(dom, "no speech-to-text backend configured") {
		t.Errorf("failed transcription not reported")
	}
	eye := regexp.MustCompile(`data-plot="eye_contact"[\s\S]*?</figure>`).FindString(dom)
	if !strings.Contains(eye, `class="away"`) || !strings.Contains(eye, `class="look"`) || !strings.Contains(eye, `class="unmeasured"`) {
		t.Errorf("eye-contact strip lacks looking, looking-away or unmeasured stretches")
	}
	moments := regexp.MustCompile(`data-plot="moments"[\s\S]*?</figure>`).FindString(dom)
	if !strings.Contains(moments, `class="m-voice"`) || !strings.Contains(moments, `class="m-vision"`) {
		t.Errorf("moments plot lacks voice or vision bars")
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colours := map[uint32]bool{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 7 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>11<<10|g>>11<<5|b>>11] = true
		}
	}
	if len(colours) < 12 {
		t.Errorf("screenshot looks blank: %d colours", len(colours))
	}
	if out := os.Getenv("NEVERMIND_REPORT_OUT"); out != "" {
		_ = os.WriteFile(filepath.Join(out, "report-"+lang+".html"), b.Bytes(), 0o644)
		png, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(out, "report-"+lang+".png"), png, 0o644)
	}
}

// TestUIWords checks that every word the renderers look up exists in both
// languages: a missing key would print an empty heading.
// The gaze strip says what the gaze was judged against and why a stretch has no verdict.
func TestGazeStripSaysWhy(t *testing.T) {
	s, in := sample(t, "en")
	var b bytes.Buffer
	if err := HTML(&b, s, in, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Looking at the camera (calibrated on your look into the lens)", "gaze not measured: eyes closed", "gaze not measured: no face"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestUIWords(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`(?:ui\[|\bt\()"([a-z_]+)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(src), -1) {
			seen++
			if w := ui[m[1]]; w.Ko == "" || w.En == "" {
				t.Errorf("%s: ui word %q missing", f, m[1])
			}
		}
	}
	for _, m := range []string{"voice", "vision", "transcript", "content"} {
		if w := ui[m]; w.Ko == "" || w.En == "" {
			t.Errorf("modality name %q missing", m)
		}
	}
	if seen < 20 {
		t.Errorf("found only %d lookups; the pattern is out of date", seen)
	}
}

// TestPartialPages renders summaries with analyses missing and checks the
// page says what is missing instead of drawing empty axes.
func TestPartialPages(t *testing.T) {
	ev, err := questions.EvaluateOffline(questions.Answer{Text: strings.Join(speech.English, " "), Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	noSeries := speech.Analyze(t, speech.Synth(t, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, speech.Fluent(speech.English[:2], 1.5)...), vocal.Options{Language: "en"})
	cases := []struct {
		name string
		in   feedback.Input
		want []string
	}{
		{"content only", feedback.Input{Content: ev}, []string{"No voice analysis.", "No video analysis: not analysed", `data-plot="moments"`}},
		{"voice without series", feedback.Input{Voice: noSeries}, []string{"The voice report holds no contours", `data-metric="pace"`}},
		{"vision failed", feedback.Input{Content: ev, Failed: nevermind.Failures{nevermind.Vision: errors.New("camera unplugged")}}, []string{"No video analysis: camera unplugged"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := feedback.Summarize(tc.in, feedback.Options{Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := HTML(&b, s, tc.in, Options{}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if strings.Contains(b.String(), "NaN") {
				t.Errorf("page contains NaN")
			}
		})
	}
	// Why a part is missing is said in the page's language.
	s, err := feedback.Summarize(feedback.Input{Content: ev}, feedback.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := HTML(&b, s, feedback.Input{Content: ev}, Options{Language: "ko"}); err != nil {
		t.Fatal(err)
	}
	if page := b.String(); !strings.Contains(page, "분석하지 않음") || strings.Contains(page, "not analysed") {
		t.Errorf("the Korean page does not say in Korean that video was not analysed")
	}
}

func TestRenderersRejectBadInput(t *testing.T) {
	s := &feedback.Summary{Language: "en"}
	for _, tc := range []struct {
		name string
		s    *feedback.Summary
		opts Options
	}{{"nil summary", nil, Options{}}, {"language", s, Options{Language: "fr"}}} {
		var b bytes.Buffer
		if err := Text(&b, tc.s, tc.opts); !errors.Is(err, ErrInput) {
			t.Errorf("%s: Text error %v, want ErrInput", tc.name, err)
		}
		if err := HTML(&b, tc.s, feedback.Input{}, tc.opts); !errors.Is(err, ErrInput) {
			t.Errorf("%s: HTML error %v, want ErrInput", tc.name, err)
		}
	}
}

// A flat contour (a steady tone) still gets an axis whose ticks read differently.
func TestFlatContourTicks(t *testing.T) {
	for _, pts := range [][]vocal.Point{{{0, 333}, {1, 333}, {2, 333}}, {{0, 70}, {1, 70.4}}} {
		lo, hi, ok := valueRange(pts, -1000, 1000)
		if !ok {
			t.Fatalf("no range for %v", pts)
		}
		seen := map[string]bool{}
		for _, tk := range valueTicks(newAxis(2, lo, hi, 170), 3, "%.0f") {
			if seen[tk.Label] {
				t.Errorf("%v: ticks %v repeat %q", pts, valueTicks(newAxis(2, lo, hi, 170), 3, "%.0f"), tk.Label)
			}
			seen[tk.Label] = true
		}
	}
}

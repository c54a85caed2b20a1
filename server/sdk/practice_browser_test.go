package sdk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/servertest"
	"github.com/nevermind-ai/nevermind/vision"
)

// practiceBrowser is what the practice page's test needs of a real browser. Chromium
// implements it over the DevTools protocol, Firefox over WebDriver BiDi, so that both run
// the same flow and the same assertions (practise).
type practiceBrowser interface {
	// navigate opens url and returns once it has loaded.
	navigate(ctx context.Context, url string) error
	// click clicks the middle of the element selector matches with the mouse.
	click(ctx context.Context, selector string) error
	// eval evaluates a JavaScript expression in the page, awaits it if it is a promise,
	// and returns its value as JSON; a thrown exception is the error.
	eval(ctx context.Context, expr string) (json.RawMessage, error)
	// screenshot is a PNG of the whole page.
	screenshot(ctx context.Context) ([]byte, error)
	// problems lists what the page reported so far that a working page does not: uncaught
	// exceptions, console errors and warnings, and failed requests.
	problems() []string
}

// practiceAnswer is one answer given on the practice page: how long to speak, the live
// cues (interview.CueKind) that must and must not be listed by the time it ends, and the
// problem moment whose timeline marker must seek the replay.
type practiceAnswer struct {
	length      time.Duration
	cues, never []interview.CueKind
	// seek, unless empty, is the modality (voice, vision) of the marker to click: the first
	// of it that starts at least seekFrom seconds into the answer.
	seek     string
	seekFrom float64
}

// practiceServer starts the server as `nevermind serve` runs with no configuration:
// development mode, the real pipeline with vision. It returns the server's URL.
func practiceServer(t *testing.T) string {
	t.Helper()
	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return servertest.New(t, wired(&interview.Pipeline{Vision: va}), func(c *server.Config) { c.JWTSecret = "" }).URL
}

// practise drives the practice page at base in b as a candidate would: signed in by the
// development token, a cover letter turned into questions, then each answer recorded with
// the live upload while the cues are read, and the feedback after it: the report with its
// metric cards, a replay that plays, a timeline marker that seeks it, and after the first
// answer the switch to English and back. The page must report no problems. Screenshots of
// each answer while recording and of its feedback go to a temporary directory, logged at
// the end.
func practise(ctx context.Context, t *testing.T, b practiceBrowser, base string, answers []practiceAnswer) {
	shots := t.TempDir()
	defer func() { t.Logf("screenshots in %s", shots) }()
	shot := func(name string) {
		png, err := b.screenshot(ctx)
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	run := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v (the page reported %v)", what, err, b.problems())
		}
	}
	evalInto := func(what, expr string, out any) {
		t.Helper()
		raw, err := b.eval(ctx, expr)
		if err == nil {
			err = json.Unmarshal(raw, out)
		}
		run(what, err)
	}
	setValue := func(selector, value string) {
		t.Helper()
		var ok bool
		evalInto("fill "+selector, fmt.Sprintf(`(() => { const el = document.querySelector(%s); if (el) el.value = %s; return !!el; })()`, jsString(selector), jsString(value)), &ok)
		if !ok {
			t.Fatalf("the page has no %s", selector)
		}
	}
	// waitFor waits in the page until the JavaScript expression cond is true, and when it
	// is not in time says what errors the page shows.
	waitFor := func(what, cond string, within time.Duration) {
		t.Helper()
		var wait struct {
			Done   bool     `json:"done"`
			Errors []string `json:"errors"`
		}
		evalInto("wait for "+what, fmt.Sprintf(`new Promise((ok) => { const end = Date.now() + %d;
			const check = () => {
				if (%s) return ok({done: true});
				if (Date.now() < end) return setTimeout(check, 50);
				ok({done: false, errors: [...document.querySelectorAll(".error")].map((e) => e.textContent).filter(Boolean)}); };
			check(); })`, within.Milliseconds(), cond), &wait)
		if !wait.Done {
			t.Fatalf("%s: not within %v; the page shows the errors %q and reported %v", what, within, wait.Errors, b.problems())
		}
	}
	waitVisible := func(selector string, within time.Duration) {
		t.Helper()
		waitFor(selector+" shown", fmt.Sprintf(`document.querySelector(%s)?.checkVisibility()`, jsString(selector)), within)
	}
	const reportDoc = `document.getElementById("report").contentDocument`
	// The report the feedback shows, in the frame under the replay.
	type report struct {
		Lang   string  `json:"lang"`
		Cards  int     `json:"cards"`
		Height float64 `json:"height"`
	}
	readReport := func() (r report) {
		t.Helper()
		evalInto("read the report", `(() => { const d = `+reportDoc+`;
			return {lang: d.documentElement.lang, cards: d.querySelectorAll(".card[data-metric]").length, height: document.getElementById("report").offsetHeight}; })()`, &r)
		return r
	}
	switchLanguage := func(to string) {
		t.Helper()
		run("switch the language", b.click(ctx, "#lang"))
		waitFor("the report in "+to, fmt.Sprintf(`%s?.documentElement?.lang === %s`, reportDoc, jsString(to)), 10*time.Second)
	}

	run("open the page", b.navigate(ctx, base+"/practice/"))
	waitVisible("#setup", 10*time.Second) // signed in with the development token
	setValue("#company", "토스")
	setValue("#role", "백엔드 개발자")
	setValue("#letter", "결제 시스템의 장애를 줄이기 위해 모니터링을 새로 만들었고, 대응 시간을 삼십 분에서 오 분으로 줄였습니다.")
	run("ask for questions", b.click(ctx, "#questionsButton"))
	waitVisible("#room", 30*time.Second)

	for i, a := range answers {
		n := i + 1
		time.Sleep(time.Second) // the candidate reads the question
		run("start recording", b.click(ctx, "#record"))
		time.Sleep(a.length)
		shot(fmt.Sprintf("answer%d-recording", n))
		var cues []interview.CueKind
		evalInto("read the cues", `[...document.querySelectorAll("#cues li")].map(li => li.dataset.kind)`, &cues)
		// The frame still holds the last answer's report until this one's replaces it.
		var marked bool
		evalInto("mark the report shown", `(window.reportBefore = `+reportDoc+`, true)`, &marked)
		stopped := time.Now()
		run("stop recording", b.click(ctx, "#record"))
		waitVisible("#feedback", time.Minute)
		waitFor("the report", `((d) => d && d !== window.reportBefore && d.readyState === "complete" && d.querySelector(".card"))(`+reportDoc+`)`, time.Minute)
		t.Logf("answer %d: cues %v; feedback on screen %.2f s after stop", n, cues, time.Since(stopped).Seconds())
		for _, k := range a.cues {
			if !slices.Contains(cues, k) {
				t.Errorf("answer %d: no %s cue among those shown, %v", n, k, cues)
			}
		}
		for _, k := range a.never {
			if slices.Contains(cues, k) {
				t.Errorf("answer %d: a %s cue was shown (cues %v)", n, k, cues)
			}
		}

		// The feedback is the CLI's HTML report, with its metric cards, in the page's
		// language, laid out at its full height.
		if r := readReport(); r.Lang != "ko" || r.Cards < 3 || r.Height < 300 {
			t.Errorf("answer %d: the report shown is %+v, want Korean with at least 3 metric cards and 300 px high", n, r)
		}
		// The replay must be decodable (readyState ≥ HAVE_CURRENT_DATA), have a length and
		// play: its clock moves on. A MediaRecorder WebM has no Duration element: Firefox
		// reads the length off the last cluster, Chromium says Infinity until the page has
		// it look (showWhole in practice.js).
		var replay struct {
			Ready    int     `json:"ready"`
			Duration string  `json:"duration"`
			Long     bool    `json:"long"`
			Played   float64 `json:"played"`
			Error    string  `json:"error"`
		}
		evalInto("play the replay", `new Promise((ok) => { const v = document.getElementById("replay"), end = Date.now() + 20000;
			const report = (o) => ok(Object.assign({ready: v.readyState, duration: String(v.duration), long: Number.isFinite(v.duration) && v.duration > 0}, o));
			const check = () => {
				if (v.error) return report({error: "media error " + v.error.code + ": " + v.error.message});
				if (v.readyState < 2 || !Number.isFinite(v.duration) || v.seeking) return Date.now() > end ? report({error: "not ready within 20 s"}) : setTimeout(check, 100);
				const from = v.currentTime;
				v.play().then(() => setTimeout(() => report({played: v.currentTime - from}), 800), (e) => report({error: "play: " + e}));
			};
			check(); })`, &replay)
		t.Logf("answer %d: replay %+v", n, replay)
		if replay.Error != "" || replay.Ready < 2 || !replay.Long || replay.Played <= 0 {
			t.Errorf("answer %d: the replay did not play: %+v", n, replay)
		}
		shot(fmt.Sprintf("answer%d-feedback", n))
		type marker struct {
			Modality string  `json:"modality"`
			Start    float64 `json:"start"`
			Title    string  `json:"title"`
		}
		var markers []marker
		evalInto("read the timeline", `[...document.querySelectorAll("#timeline button")].map((b) => ({modality: b.dataset.modality, start: Number(b.dataset.start), title: b.title}))`, &markers)
		t.Logf("answer %d: timeline %+v", n, markers)
		if a.seek != "" {
			k := slices.IndexFunc(markers, func(m marker) bool { return m.Modality == a.seek && m.Start >= a.seekFrom })
			if k < 0 {
				t.Errorf("answer %d: no %s marker from %.1f s on among %+v", n, a.seek, a.seekFrom, markers)
			} else {
				var listening bool
				evalInto("listen for the replay's seek", `(() => { const v = document.getElementById("replay");
					window.seekedTo = new Promise((ok) => v.addEventListener("seeked", () => ok(v.currentTime), {once: true})); return true; })()`, &listening)
				run("click the marker", b.click(ctx, fmt.Sprintf("#timeline > button:nth-child(%d)", k+1)))
				var at float64
				evalInto("wait for the seek", `Promise.race([window.seekedTo, new Promise((ok) => setTimeout(() => ok(-1), 10000))])`, &at)
				if start := markers[k].Start; at < start-0.1 || at > start+1 {
					t.Errorf("answer %d: clicking the %s marker at %.2f s took the replay to %.2f s", n, a.seek, start, at)
				}
			}
		}
		if n == 1 {
			// The English switch shows the English report and names the history's metrics
			// in English too.
			switchLanguage("en")
			var metric string
			evalInto("read the history", `document.querySelector("#trends tbody td")?.textContent ?? ""`, &metric)
			if metric == "" || strings.ContainsFunc(metric, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) {
				t.Errorf("answer 1: in English the history's first metric is %q", metric)
			}
			shot("answer1-feedback-en")
			switchLanguage("ko")
		}
		if n < len(answers) {
			run("next question", b.click(ctx, "#next"))
			waitVisible("#room", 10*time.Second)
		}
	}
	if p := b.problems(); len(p) > 0 {
		t.Errorf("the page reported problems: %v", p)
	}
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

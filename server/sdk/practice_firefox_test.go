//go:build linux

package sdk_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/nevermind-ai/nevermind/interview"
)

// TestPracticePageInFirefox answers two questions on the embedded practice page in
// headless Firefox (Debian's firefox-esr) with its fake camera and microphone, driven over
// WebDriver BiDi, through the same flow and assertions as the Chromium test.
//
// Firefox cannot play a file as its camera: its fake devices are a flat colour that
// changes every few seconds under a blocky clock, and a steady tone. So each answer must
// get the cue that media really calls for, no face (3 s after the start), and none that it
// does not: no look-away without a face, no pause in a tone that never stops, and not too
// dark for bright colours. The tone reads as one unbroken, monotonous "음…" (answers stay at
// most 10 s, shorter than the window pace cues need), a voice problem moment from the
// start, whose timeline marker must seek the replay. The page records VP8 here:
// Firefox's MediaRecorder does not support VP9, and the page falls back to what it does.
func TestPracticePageInFirefox(t *testing.T) {
	bin, err := exec.LookPath("firefox-esr")
	if err != nil {
		if bin, err = exec.LookPath("firefox"); err != nil {
			t.Skip("firefox is not installed (Debian package firefox-esr); scripts/deps.sh installs it")
		}
	}
	base := practiceServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b, err := startFirefox(ctx, t, bin)
	if err != nil {
		t.Fatal(err)
	}
	cues, never := []interview.CueKind{interview.CueNoFace}, []interview.CueKind{interview.CueLookAway, interview.CuePause, interview.CueTooDark}
	practise(ctx, t, b, base, []practiceAnswer{
		{length: 10 * time.Second, cues: cues, never: never, seek: "voice"},
		{length: 7 * time.Second, cues: cues, never: never},
	})
}

// firefoxPrefs go into the test profile's user.js. The fake devices stand in for a camera
// and microphone without a permission prompt; audible media may play without a click, as
// Chromium's autoplay-policy flag allows (the replay has sound). Every host name resolves
// to this machine, and so nothing leaves it: at start-up Firefox looks up and connects to
// its remote settings and update servers whatever its remote agent's preferences say
// (seen with strace), and DNS over HTTPS stays off.
const firefoxPrefs = `user_pref("media.navigator.streams.fake", true);
user_pref("media.navigator.permission.disabled", true);
user_pref("media.autoplay.default", 0);
user_pref("network.dns.forceResolve", "127.0.0.1");
user_pref("network.trr.mode", 5);
`

// bidiOrigin is the Origin of the test's BiDi connection: golang.org/x/net/websocket
// always sends one, and Firefox refuses a connection from an origin it was not told to
// allow.
const bidiOrigin = "http://127.0.0.1"

// firefox is a practiceBrowser over WebDriver BiDi: JSON commands and events on the
// websocket Firefox opens with --remote-debugging-port.
type firefox struct {
	ws      *websocket.Conn
	context string // the browsing context (tab) the page is in

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan bidiMessage
	closed  error // why the connection ended, once it has
	logged  []string
}

// bidiMessage is a command's reply or an event.
type bidiMessage struct {
	Type    string          `json:"type"` // success, error or event
	ID      int             `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// startFirefox starts headless Firefox in a new profile, opens a BiDi session on its tab
// and listens to what the page reports. The browser is closed when the test ends.
func startFirefox(ctx context.Context, t *testing.T, bin string) (*firefox, error) {
	profile := t.TempDir()
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxPrefs), 0o644); err != nil {
		return nil, err
	}
	// Port 0: Firefox picks a free port and says which on stderr.
	cmd := exec.Command(bin, "-headless", "-no-remote", "-profile", profile,
		"--remote-debugging-port=0", "--remote-allow-origins="+bidiOrigin, "about:blank")
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1")
	// Firefox goes when the test does, even when it is killed (as chromedp has Chromium do).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Log("firefox did not exit within 10 s of browser.close; killing it")
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	// What Firefox says before it listens explains a failed start; later it is noise.
	found := make(chan string, 1)
	var startup strings.Builder
	go func() {
		defer close(exited)
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			if m := bidiListening.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
				break
			}
			startup.WriteString(lines.Text() + "\n")
		}
		_, _ = io.Copy(io.Discard, stderr)
		_ = cmd.Wait()
	}()
	var url string
	select {
	case url = <-found:
	case <-exited:
		return nil, fmt.Errorf("firefox exited before it listened for WebDriver BiDi:\n%s", startup.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return nil, fmt.Errorf("firefox did not listen for WebDriver BiDi within 30 s:\n%s", startup.String())
	}

	ws, err := websocket.Dial(url+"/session", "", bidiOrigin)
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, err
	}
	f := &firefox{ws: ws, waiting: map[int]chan bidiMessage{}}
	go f.read()
	t.Cleanup(func() {
		// browser.close answers, then Firefox exits; the first cleanup waits for that.
		closing, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := f.call(closing, "browser.close", struct{}{}, nil); err != nil {
			t.Logf("browser.close: %v", err)
		}
		_ = ws.Close()
	})

	if err := f.call(ctx, "session.new", map[string]any{"capabilities": map[string]any{}}, nil); err != nil {
		return nil, err
	}
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := f.call(ctx, "browsingContext.getTree", struct{}{}, &tree); err != nil {
		return nil, err
	}
	if len(tree.Contexts) == 0 {
		return nil, errors.New("firefox has no tab")
	}
	f.context = tree.Contexts[0].Context
	if err := f.call(ctx, "browsingContext.setViewport", map[string]any{
		"context": f.context, "viewport": map[string]int{"width": 1280, "height": 1000}}, nil); err != nil {
		return nil, err
	}
	err = f.call(ctx, "session.subscribe", map[string]any{
		"events": []string{"log.entryAdded", "network.responseCompleted", "network.fetchError"}}, nil)
	return f, err
}

// read delivers replies to their callers and records the events the page reports.
func (f *firefox) read() {
	for {
		var data []byte
		err := websocket.Message.Receive(f.ws, &data)
		var m bidiMessage
		if err == nil {
			err = json.Unmarshal(data, &m)
		}
		f.mu.Lock()
		if err != nil {
			f.closed = err
			for _, c := range f.waiting {
				close(c)
			}
			f.waiting = nil
			f.mu.Unlock()
			return
		}
		if m.Type == "event" {
			if p := problem(m.Method, m.Params); p != "" {
				f.logged = append(f.logged, p)
			}
		} else if c, ok := f.waiting[m.ID]; ok {
			delete(f.waiting, m.ID)
			c <- m
		}
		f.mu.Unlock()
	}
}

// problem is what a BiDi event says is wrong with the page, or "".
func problem(method string, params json.RawMessage) string {
	var ev struct {
		Type, Level, Text, ErrorText string
		Request                      struct{ URL, Method string }
		Response                     struct{ Status int }
	}
	if json.Unmarshal(params, &ev) != nil {
		return method + ": " + string(params)
	}
	switch {
	case method == "log.entryAdded" && (ev.Level == "error" || ev.Level == "warn"):
		return fmt.Sprintf("%s %s: %s", ev.Type, ev.Level, ev.Text)
	case method == "network.responseCompleted" && ev.Response.Status >= 400:
		return fmt.Sprintf("%s %s: %d", ev.Request.Method, ev.Request.URL, ev.Response.Status)
	case method == "network.fetchError":
		return fmt.Sprintf("%s %s: %s", ev.Request.Method, ev.Request.URL, ev.ErrorText)
	}
	return ""
}

// call sends a command and decodes its result into out (unless nil).
func (f *firefox) call(ctx context.Context, method string, params, out any) error {
	reply := make(chan bidiMessage, 1)
	f.mu.Lock()
	if f.waiting == nil {
		f.mu.Unlock()
		return fmt.Errorf("%s: the BiDi connection is closed: %v", method, f.closed)
	}
	f.nextID++
	id := f.nextID
	f.waiting[id] = reply
	f.mu.Unlock()
	if err := websocket.JSON.Send(f.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	case m, ok := <-reply:
		switch {
		case !ok:
			return fmt.Errorf("%s: the BiDi connection closed: %v", method, f.closed)
		case m.Type == "error":
			return fmt.Errorf("%s: %s: %s", method, m.Error, m.Message)
		case out != nil:
			return json.Unmarshal(m.Result, out)
		}
		return nil
	}
}

func (f *firefox) navigate(ctx context.Context, url string) error {
	return f.call(ctx, "browsingContext.navigate", map[string]any{"context": f.context, "url": url, "wait": "complete"}, nil)
}

// evaluate runs script.evaluate on expr and returns the remote value it gives.
func (f *firefox) evaluate(ctx context.Context, expr string) (json.RawMessage, error) {
	var r struct {
		Type             string          `json:"type"` // success or exception
		Result           json.RawMessage `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := f.call(ctx, "script.evaluate", map[string]any{
		"expression": expr, "target": map[string]string{"context": f.context}, "awaitPromise": true,
		"resultOwnership": "none"}, &r)
	if err == nil && r.Type == "exception" {
		err = fmt.Errorf("exception: %s", r.ExceptionDetails.Text)
	}
	return r.Result, err
}

// eval has the page turn the value into JSON itself: BiDi's remote values are typed trees,
// not JSON.
func (f *firefox) eval(ctx context.Context, expr string) (json.RawMessage, error) {
	v, err := f.evaluate(ctx, "(async () => JSON.stringify(await ("+expr+")) ?? null)()")
	if err != nil {
		return nil, err
	}
	var s struct {
		Value string `json:"value"`
	}
	err = json.Unmarshal(v, &s)
	return json.RawMessage(s.Value), err
}

// click scrolls the element into view and presses the mouse in its middle.
func (f *firefox) click(ctx context.Context, selector string) error {
	v, err := f.evaluate(ctx, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el?.scrollIntoView({block: "center"}); return el; })()`, jsString(selector)))
	if err != nil {
		return err
	}
	var node struct {
		Type     string `json:"type"`
		SharedID string `json:"sharedId"`
	}
	if err := json.Unmarshal(v, &node); err != nil {
		return err
	}
	if node.Type != "node" {
		return fmt.Errorf("the page has no %s", selector)
	}
	return f.call(ctx, "input.performActions", map[string]any{"context": f.context, "actions": []any{map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]string{"pointerType": "mouse"},
		"actions": []any{
			map[string]any{"type": "pointerMove", "x": 0, "y": 0, "origin": map[string]any{"type": "element", "element": map[string]string{"sharedId": node.SharedID}}},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		}}}}, nil)
}

func (f *firefox) screenshot(ctx context.Context) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := f.call(ctx, "browsingContext.captureScreenshot", map[string]any{"context": f.context, "origin": "document"}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

func (f *firefox) problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.logged)
}

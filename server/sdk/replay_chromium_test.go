package sdk_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/store"
	"github.com/nevermind-ai/nevermind/vision"
)

// replayPage is a page on another origin that plays a replay URL in a <video>, as the
// frontend's feedback page does: it waits for the metadata, seeks to 2 s (a timeline
// marker click), plays for a moment, draws the frame it shows and posts what happened back
// to the page's own server.
var replayPage = template.Must(template.New("replay").Parse(`<!DOCTYPE html>
<html><body>
<video id="v" muted playsinline preload="auto" crossorigin="anonymous" width="480"></video>
<canvas id="c" width="160" height="120"></canvas>
<script>
const v = document.getElementById("v");
const events = [];
const report = (o) => fetch("/report", {method: "POST", body: JSON.stringify(Object.assign({events}, o))});
for (const e of ["loadedmetadata", "canplay", "seeking", "seeked", "playing", "error"]) {
  v.addEventListener(e, () => events.push(e));
}
v.addEventListener("error", () => report({error: "media error " + (v.error && v.error.code) + ": " + (v.error && v.error.message)}));
v.addEventListener("loadedmetadata", () => { v.currentTime = 2; }, {once: true});
v.addEventListener("seeked", async () => {
  const seekedTo = v.currentTime;
  try { await v.play(); } catch (e) { report({error: "play: " + e}); return; }
  const from = v.currentTime;
  setTimeout(() => {
    v.pause();
    const c = document.getElementById("c");
    c.getContext("2d").drawImage(v, 0, 0, c.width, c.height);
    report({seekedTo, played: v.currentTime - from, width: v.videoWidth, height: v.videoHeight, frame: c.toDataURL("image/png")});
  }, 1500);
}, {once: true});
v.src = {{.}};
</script>
</body></html>`))

type replayReport struct {
	Events   []string `json:"events"`
	Error    string   `json:"error"`
	SeekedTo float64  `json:"seekedTo"`
	Played   float64  `json:"played"`
	Width    int      `json:"width"`
	Height   int      `json:"height"`
	Frame    string   `json:"frame"`
}

// TestReplayPlaysInChromium plays a stored answer's replay URL in headless Chromium from
// another origin: it must load, seek and play, and show the recorded picture.
func TestReplayPlaysInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian package chromium); scripts/deps.sh installs it")
	}
	rec := frontendRecording(t, answer)
	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := frontendServer(t, store.SQLite, va, false)
	created := b.jsonCall("POST", "/api/interviews/contents", map[string]any{"company": "토스", "role": "백엔드"}, 200)
	cid := int64(created["content"].(map[string]any)["id"].(float64))
	b.jsonCall("POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "지원 동기", "a": "장애를 줄였습니다."}}}, 200)
	sid := int64(b.jsonCall("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{}, 200)["session_id"].(float64))
	aid := int64(b.upload(sid, 1, rec)["attempt_id"].(float64))
	videoURL := b.jsonCall("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), nil, 200)["video_url"].(string)

	reports := make(chan replayReport, 1)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			replayPage.Execute(w, videoURL)
		case "/report":
			var rep replayReport
			data, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(data, &rep); err != nil {
				rep.Error = "unreadable report: " + string(data)
			}
			select {
			case reports <- rep:
			default:
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer page.Close()
	if strings.HasPrefix(videoURL, page.URL) {
		t.Fatal("the page and the replay share an origin; the test would prove nothing")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var log bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--autoplay-policy=no-user-gesture-required", "--user-data-dir="+t.TempDir(),
		"--enable-logging=stderr", "--v=0", page.URL+"/")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()

	var rep replayReport
	select {
	case rep = <-reports:
	case <-ctx.Done():
		t.Fatalf("the page never reported; chromium's log:\n%s", log.String())
	}
	if rep.Error != "" {
		t.Fatalf("replay failed: %s (events %v); chromium's log:\n%s", rep.Error, rep.Events, log.String())
	}
	if rep.SeekedTo < 1.9 || rep.SeekedTo > 2.1 || rep.Played < 0.5 || rep.Width != 960 || rep.Height != 720 {
		t.Fatalf("replay: seeked to %.2f s, played %.2f s, %dx%d (events %v)", rep.SeekedTo, rep.Played, rep.Width, rep.Height, rep.Events)
	}
	shot := filepath.Join(t.TempDir(), "replay-frame.png")
	img := decodeDataURL(t, rep.Frame)
	if f, err := os.Create(shot); err == nil {
		png.Encode(f, img)
		f.Close()
	}
	// The astronaut photo has detail everywhere; a black or uniform frame means the
	// browser showed nothing.
	if spread := lumaSpread(img); spread < 40 {
		t.Fatalf("the frame the page drew is flat (luma spread %d); see %s", spread, shot)
	}
	t.Logf("played from %.2f s for %.2f s; frame in %s", rep.SeekedTo, rep.Played, shot)
}

func decodeDataURL(t *testing.T, u string) image.Image {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(u, "data:image/png;base64,"))
	if err != nil {
		t.Fatalf("frame: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("frame: %v", err)
	}
	return img
}

// lumaSpread is the difference between the brightest and darkest pixel (0..255).
func lumaSpread(img image.Image) int {
	lo, hi := 255, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := int((299*r + 587*g + 114*bl) / 1000 >> 8)
			lo, hi = min(lo, l), max(hi, l)
		}
	}
	return hi - lo
}

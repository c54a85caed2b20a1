// Package speech makes the synthetic interview answers the feedback tests
// run on and measures them with vocal.Analyze.
//
// Recipe for one answer: each sentence is
// `espeak-ng -v VOICE -s RATE -p PITCH -w s.wav TEXT` (Debian package
// espeak-ng), resampled with `sox s.wav -r 16000 -c 1 -b 16 s16.wav`
// (Debian package sox); silences are
// `sox -n -r 16000 -c 1 -b 16 gap.wav trim 0 SECONDS`; the pieces are joined
// with `sox a.wav gap.wav b.wav` into raw float32 samples. Tests skip with a
// clear message when a tool is missing; CI installs both.
package speech

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal"
)

// Need skips the test unless the named programs are on PATH.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian package %s); CI installs it", tool, tool)
		}
	}
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// Piece is one part of a synthetic answer: a sentence, or a silence when
// Text is empty.
type Piece struct {
	Text  string
	Pause float64 // seconds of silence (when Text is "")
}

// Voice selects the espeak-ng voice.
type Voice struct {
	Name  string // espeak-ng voice, "en-us" or "ko"
	Rate  int    // words per minute
	Pitch int    // 0–99
}

// Synth builds the answer and returns its 16 kHz mono samples.
func Synth(t testing.TB, v Voice, parts ...Piece) []float32 {
	t.Helper()
	Need(t, "espeak-ng", "sox")
	dir := t.TempDir()
	var files []string
	for i, p := range parts {
		out := filepath.Join(dir, fmt.Sprintf("p%02d.wav", i))
		if p.Text == "" {
			run(t, "sox", "-n", "-r", "16000", "-c", "1", "-b", "16", out, "trim", "0", fmt.Sprint(p.Pause))
		} else {
			raw := filepath.Join(dir, fmt.Sprintf("e%02d.wav", i))
			run(t, "espeak-ng", "-v", v.Name, "-s", fmt.Sprint(v.Rate), "-p", fmt.Sprint(v.Pitch), "-w", raw, p.Text)
			run(t, "sox", raw, "-r", "16000", "-c", "1", "-b", "16", out)
		}
		files = append(files, out)
	}
	all := filepath.Join(dir, "answer.f32")
	run(t, "sox", append(files, "-t", "raw", "-e", "floating-point", "-b", "32", "-r", "16000", "-c", "1", all)...)
	b, err := os.ReadFile(all)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]float32, len(b)/4)
	for i := range pcm {
		pcm[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return pcm
}

// Analyze runs vocal.Analyze on 16 kHz samples, failing the test on error.
func Analyze(t testing.TB, pcm []float32, opts vocal.Options) *vocal.Report {
	t.Helper()
	r, err := vocal.Analyze(context.Background(), pcm, 16000, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// English and Korean are the sentences of one answer to "tell me about a
// time you fixed an unreliable system".
var English = []string{
	"In my last project I led a team of four engineers to rebuild our payment service.",
	"The old system failed about twice a week, and every outage cost us customers.",
	"First, I measured where the errors came from, and found that most were timeouts.",
	"So we added retries with back off, and moved the slow reports to a queue.",
	"As a result, failures dropped by ninety percent within two months.",
	"I learned to measure before changing anything.",
}

// Korean has the same answer in Korean.
var Korean = []string{
	"지난 프로젝트에서 저는 네 명의 개발자와 함께 결제 서비스를 다시 만들었습니다.",
	"기존 시스템은 일주일에 두 번 정도 장애가 났고, 고객이 이탈했습니다.",
	"먼저 오류의 원인을 측정했고, 대부분이 시간 초과라는 것을 찾았습니다.",
	"그래서 재시도를 추가하고 느린 보고서를 큐로 옮겼습니다.",
	"그 결과 두 달 만에 장애가 구십 퍼센트 줄었습니다.",
}

// Fluent joins sentences with gaps of the given seconds.
func Fluent(sentences []string, gap float64) []Piece {
	var ps []Piece
	for i, s := range sentences {
		if i > 0 {
			ps = append(ps, Piece{Pause: gap})
		}
		ps = append(ps, Piece{Text: s})
	}
	return ps
}

// ReadWAV converts any audio file sox reads to 16 kHz mono samples.
func ReadWAV(t testing.TB, path string) []float32 {
	t.Helper()
	Need(t, "sox")
	out, err := exec.Command("sox", path, "-t", "raw", "-e", "floating-point", "-b", "32", "-r", "16000", "-c", "1", "-").Output()
	if err != nil {
		t.Fatalf("sox %s: %v", path, err)
	}
	return samples(out)
}

func samples(b []byte) []float32 {
	pcm := make([]float32, len(b)/4)
	for i := range pcm {
		pcm[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return pcm
}

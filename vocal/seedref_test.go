package vocal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

// debianPython is Debian's interpreter, which sees the python3-pandas and
// python3-numpy packages (a pyenv python3 earlier on PATH may not).
const debianPython = "/usr/bin/python3"

type refPayload struct {
	TotalScore int    `json:"total_score"`
	Summary    string `json:"summary"`
	Metrics    []struct {
		ID          string              `json:"id"`
		Score       int                 `json:"score"`
		Level       string              `json:"level"`
		Value       any                 `json:"value"`
		Description string              `json:"description"`
		Coverage    float64             `json:"coverage"`
		Drivers     map[string]*float64 `json:"drivers"`
		SPS         float64             `json:"sps"`
	} `json:"metrics"`
	Grouped struct {
		TremorEvents []map[string]float64  `json:"tremor_events"`
		SpeedFast    []map[string]*float64 `json:"speed_fast"`
		SpeedSlow    []map[string]*float64 `json:"speed_slow"`
		PauseHigh    []map[string]*float64 `json:"pause_high"`
	} `json:"grouped"`
}

// seedReference runs Praat on the file and the numpy/pandas implementation
// of the seed's scoring (testdata/seed_reference.py) on Praat's numbers.
func seedReference(t *testing.T, wav string) *refPayload {
	t.Helper()
	testaudio.Need(t, "praat")
	if err := exec.Command(debianPython, "-c", "import numpy, pandas").Run(); err != nil {
		t.Skipf("%s cannot import numpy and pandas: install the Debian package python3-pandas", debianPython)
	}
	script, _ := filepath.Abs("praat/testdata/reference.praat")
	praatOut := testaudio.Run(t, "praat", "--run", script, wav)
	cmd := exec.Command(debianPython, "testdata/seed_reference.py")
	cmd.Stdin = bytes.NewReader(praatOut)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("seed_reference.py: %v\n%s", err, stderr.String())
	}
	var ref refPayload
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("seed_reference.py output: %v\n%s", err, out)
	}
	return &ref
}

// TestSeedPayloadMatchesReference compares the seed-compatible part of the
// report with an independent numpy/pandas implementation of the seed's
// scoring that reads Praat's own measurements.
func TestSeedPayloadMatchesReference(t *testing.T) {
	testaudio.Need(t, "praat", "sox", "espeak-ng")
	if err := exec.Command(debianPython, "-c", "import numpy, pandas").Run(); err != nil {
		t.Skipf("%s cannot import numpy and pandas: install the Debian package python3-pandas", debianPython)
	}
	files := testaudio.LibriVox(t)
	dir := t.TempDir()
	// A recording that starts in silence exercises the NaN first window.
	padded := filepath.Join(dir, "late-start.wav")
	testaudio.Run(t, "sox", files[0], padded, "pad", "1.6", "0.4")
	files = append(files, padded,
		testaudio.Espeak(t, dir, "ko", "ko", "저는 문제를 끝까지 분석하는 것을 좋아합니다. 지난 프로젝트에서는 결제 시스템을 맡았습니다.", 50, 170),
		testaudio.Espeak(t, dir, "en", "en-us", "I think the hardest part of the project was keeping everyone aligned on the goal.", 40, 150),
		// Very fast and very slow speech, for the speed spans.
		testaudio.Espeak(t, dir, "fast", "en-us", "We built the ingestion service, the billing pipeline, the reporting dashboards and the alerting rules in one quarter, and then we rebuilt half of it.", 50, 380),
		testaudio.Espeak(t, dir, "slow", "ko", "저는. 천천히. 그리고. 또박또박. 말하는. 편입니다.", 50, 80),
		tremorVowel(t, dir),
	)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ref := seedReference(t, path)
			got := analyzeFile(t, path, Options{})
			t.Logf("reference: total %d, %d tremor events, %d fast, %d slow, %d pause_high spans", ref.TotalScore,
				len(ref.Grouped.TremorEvents), len(ref.Grouped.SpeedFast), len(ref.Grouped.SpeedSlow), len(ref.Grouped.PauseHigh))
			check := func(what string, ok bool, g, w any) {
				if !ok {
					t.Errorf("%s: got %v, reference %v", what, g, w)
				}
			}
			near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9 || (math.IsNaN(a) && math.IsNaN(b)) }
			check("total_score", got.TotalScore == ref.TotalScore, got.TotalScore, ref.TotalScore)
			check("summary", got.Summary == ref.Summary, got.Summary, ref.Summary)
			for i, m := range ref.Metrics {
				g := got.Metrics[i]
				check(m.ID+" score", g.Score == m.Score, g.Score, m.Score)
				check(m.ID+" level", g.Level == m.Level, g.Level, m.Level)
				check(m.ID+" description", g.Description == m.Description, g.Description, m.Description)
				switch m.ID {
				case "pause":
					gv, _ := g.Value.(float64)
					wv, _ := m.Value.(float64)
					check("pause value", near(gv, wv), g.Value, m.Value)
				case "speed":
					wv, _ := m.Value.(float64)
					check("speed value", g.Value == int(wv), g.Value, m.Value)
					check("speed sps", near(g.Details.(*SpeedDetails).SPS, m.SPS), g.Details.(*SpeedDetails).SPS, m.SPS)
				case "tone":
					check("tone label", g.Value == m.Value, g.Value, m.Value)
					d := g.Details.(*ToneDetails)
					check("tone coverage", near(d.Coverage, m.Coverage), d.Coverage, m.Coverage)
					drivers := map[string]float64{
						"f0_range_st": d.Drivers.F0RangeSt, "ending_slope_hz_per_s": d.Drivers.EndingSlopeHzPerS, "pitch_var_st": d.Drivers.PitchVarSt,
						"stress_rate": float64(d.Drivers.StressRate), "energy_var_db": float64(d.Drivers.EnergyVarDB), "balance": float64(d.Drivers.Balance),
						"syll_cv": float64(d.Drivers.SyllCV), "npvi": float64(d.Drivers.NPVI), "regularity": float64(d.Drivers.Regularity),
					}
					for k, w := range m.Drivers {
						want := math.NaN()
						if w != nil {
							want = *w
						}
						check("tone driver "+k, near(drivers[k], want), drivers[k], want)
					}
				}
			}
			check("tremor events", len(got.Grouped.TremorEvents) == len(ref.Grouped.TremorEvents), got.Grouped.TremorEvents, ref.Grouped.TremorEvents)
			for i := range min(len(got.Grouped.TremorEvents), len(ref.Grouped.TremorEvents)) {
				g, w := got.Grouped.TremorEvents[i], ref.Grouped.TremorEvents[i]
				check(fmt.Sprintf("tremor event %d", i), near(g.Start, w["start"]) && near(g.End, w["end"]) &&
					near(float64(g.TremorMax), w["tremor_max"]) && near(float64(g.ZMax), w["z_max"]), g, w)
			}
			for _, c := range []struct {
				name string
				got  []Span
				want []map[string]*float64
			}{{"speed_fast", got.Grouped.SpeedFast, ref.Grouped.SpeedFast}, {"speed_slow", got.Grouped.SpeedSlow, ref.Grouped.SpeedSlow}, {"pause_high", got.Grouped.PauseHigh, ref.Grouped.PauseHigh}} {
				check(c.name+" spans", len(c.got) == len(c.want), c.got, c.want)
				for i := range min(len(c.got), len(c.want)) {
					g, w := c.got[i], c.want[i]
					check(fmt.Sprintf("%s span %d", c.name, i), near(g.Start, *w["start"]) && near(g.End, *w["end"]), g, w)
				}
			}
		})
	}
}

// tremorVowel is a 130 Hz sawtooth "vowel" (band-passed) that is steady for
// 3 s, trembles (6 Hz, 60 % tremolo) for 3 s, and is steady again for 3 s.
func tremorVowel(t *testing.T, dir string) string {
	steady := testaudio.Sox(t, dir, "steady", "synth", "3", "sawtooth", "130", "vol", "0.3", "bandpass", "600", "400")
	shaky := testaudio.Sox(t, dir, "shaky", "synth", "3", "sawtooth", "130", "vol", "0.3", "bandpass", "600", "400", "tremolo", "6", "60")
	return testaudio.Concat(t, dir, "tremor-vowel", steady, shaky, steady)
}

package praat

import (
	"bufio"
	"bytes"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

// reference is what testdata/reference.praat measured with Praat itself.
type reference struct {
	pitchT, pitchF       []float64
	ccT, ccF             []float64
	intT, intV           []float64
	harmT, harmV         []float64
	pulses               []float64
	winT0, winT1         []float64
	jitter, shimmer, hnr []float64
}

func parseNum(s string) float64 {
	if strings.HasPrefix(s, "--undefined") {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// praatReference runs Praat on the WAV file, skipping the test if Praat is
// not installed.
func praatReference(t testing.TB, wav string) *reference {
	t.Helper()
	testaudio.Need(t, "praat")
	refMu.Lock()
	defer refMu.Unlock()
	if ref, ok := refCache[wav]; ok {
		return ref
	}
	script, _ := filepath.Abs("testdata/reference.praat")
	out := testaudio.Run(t, "praat", "--run", script, wav)
	ref := &reference{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "P":
			ref.pitchT = append(ref.pitchT, parseNum(f[1]))
			ref.pitchF = append(ref.pitchF, parseNum(f[2]))
		case "C":
			ref.ccT = append(ref.ccT, parseNum(f[1]))
			ref.ccF = append(ref.ccF, parseNum(f[2]))
		case "I":
			ref.intT = append(ref.intT, parseNum(f[1]))
			ref.intV = append(ref.intV, parseNum(f[2]))
		case "H":
			ref.harmT = append(ref.harmT, parseNum(f[1]))
			ref.harmV = append(ref.harmV, parseNum(f[2]))
		case "T":
			ref.pulses = append(ref.pulses, parseNum(f[1]))
		case "W":
			ref.winT0 = append(ref.winT0, parseNum(f[1]))
			ref.winT1 = append(ref.winT1, parseNum(f[2]))
			ref.jitter = append(ref.jitter, parseNum(f[3]))
			ref.shimmer = append(ref.shimmer, parseNum(f[4]))
			ref.hnr = append(ref.hnr, parseNum(f[5]))
		}
	}
	if len(ref.pitchF) == 0 {
		t.Fatalf("praat printed no pitch frames for %s:\n%s", wav, out)
	}
	refCache[wav] = ref
	return ref
}

package stt

import "math"

// chunk is a piece of the audio and where it starts on the full timeline.
type chunk struct {
	Audio
	Offset float64 // seconds
}

// splitAtPauses cuts audio into pieces of at most maxSamples, each cut placed
// in the longest quiet stretch within the last 30 % of the allowed span, so cuts
// fall between words rather than through them. Audio that fits is returned
// whole.
func splitAtPauses(a Audio, maxSamples int) []chunk {
	if maxSamples <= 0 || len(a.Samples) <= maxSamples {
		return []chunk{{Audio: a}}
	}
	frame := max(a.SampleRate/50, 1)
	var out []chunk
	start := 0
	for len(a.Samples)-start > maxSamples {
		end := start + maxSamples
		searchFrom := start + maxSamples*7/10
		cut := quietestFrame(a.Samples, searchFrom, end, frame)
		out = append(out, chunk{
			Audio:  Audio{Samples: a.Samples[start:cut], SampleRate: a.SampleRate},
			Offset: float64(start) / float64(a.SampleRate),
		})
		start = cut
	}
	out = append(out, chunk{
		Audio:  Audio{Samples: a.Samples[start:], SampleRate: a.SampleRate},
		Offset: float64(start) / float64(a.SampleRate),
	})
	return out
}

// quietestFrame returns a cut point in [from, to): the middle of the longest
// run of 20 ms frames whose energy is near the quietest frame's. Taking the
// longest quiet run rather than the single quietest frame matters because
// the closure of a stop consonant is as silent as a pause, only shorter.
func quietestFrame(s []float32, from, to, frame int) int {
	var energies []float64
	for pos := from; pos+frame <= to; pos += frame {
		var e float64
		for _, v := range s[pos : pos+frame] {
			e += float64(v) * float64(v)
		}
		energies = append(energies, e/float64(frame))
	}
	if len(energies) == 0 {
		return to
	}
	quietest := math.Inf(1)
	for _, e := range energies {
		quietest = min(quietest, e)
	}
	// 6 dB above the quietest frame, plus a floor so digital silence next to
	// near-silence still counts as one run.
	threshold := 4*quietest + 1e-8
	bestStart, bestLen, runStart := 0, 0, -1
	for i := 0; i <= len(energies); i++ {
		if i < len(energies) && energies[i] <= threshold {
			if runStart < 0 {
				runStart = i
			}
			continue
		}
		if runStart >= 0 && i-runStart >= bestLen {
			bestStart, bestLen = runStart, i-runStart
		}
		runStart = -1
	}
	return from + (bestStart*frame + bestLen*frame/2)
}

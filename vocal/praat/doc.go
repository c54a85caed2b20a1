// Package praat measures voice the way Praat 6.x does, in pure Go: pitch
// (Boersma's autocorrelation and cross-correlation methods with the Viterbi
// path finder), intensity, glottal pulses, jitter, shimmer and
// harmonics-to-noise ratio. It contains measurements only; scoring lives in
// package vocal.
//
// The algorithms follow Praat's published method and reproduce its index
// arithmetic, windows, interpolation and path finding, so the numbers can be
// compared one for one with Praat's. The tests run Praat itself
// (`praat --run testdata/reference.praat file.wav`) on LibriVox speech,
// espeak-ng speech in Korean and English and sox signals, and require
// F0 within 1 % on ≥ 99 % of frames voiced in both, voicing agreement on
// ≥ 97 % of frames, intensity within 0.1 dB (median), and jitter, shimmer
// and HNR within 5 %. Measured on that corpus: 100 % voicing agreement,
// 100 % of F0 values within 1 %, intensity and pulse times equal to Praat's
// to 1e-9, all windowed jitter/shimmer/HNR within 5 %.
//
// A typical voice report:
//
//	s, err := praat.NewSound(pcm, 16000)
//	if err != nil { ... }
//	pitch, err := praat.ToPitch(s, praat.DefaultPitchParams(75, 500))
//	pulses := praat.ToPointProcessCC(s, pitch)
//	jitter := pulses.JitterLocal(0, s.Duration(), 1.0/500, 1.0/75, 1.3)
//	shimmer := pulses.ShimmerLocal(s, 0, s.Duration(), 1.0/500, 1.0/75, 1.3, 1.6)
//	hnr, err := praat.ToHarmonicityCC(s, 0.01, 75, 0.1, 1)
//	meanHNR := hnr.Mean(0, s.Duration())
//	intensity, err := praat.ToIntensity(s, 75, 0, true)
//
// Undefined values are NaN, where Praat prints "--undefined--".
//
// Work that cannot change a result is skipped, and on amd64 with AVX2 and
// FMA the inner loops (FFT passes, sinc sums, inner products, windowing)
// run four or eight lanes at a time, which makes the analyses more than
// ten times faster than Praat on one core (benchmarks/vocal). The vector
// kernels differ from the Go ones by rounding only (the FFT and the
// windowing not at all); the purego build tag selects the Go ones. Frames
// too quiet to be voiced get only the unvoiced candidate and no
// correlation at all (so Pitch lists fewer candidates there than Praat),
// harmonicity refines only the candidates that can still win, and the ac
// pitch finds each candidate's maximum by Newton's method on the exact
// derivatives of the sinc interpolant instead of Brent's search (the same
// maximum, located more closely). Harmonicity keeps Brent's search, because
// Praat's HNR of very periodic frames depends on where that search stops.
//
// For the last few frames of a cross-correlation analysis, where the lag
// span runs past the end of the sound, Praat reads correlation values left
// over from the previous frame analysed by the same thread; this package
// does the same, so those frames match too unless one of Praat's thread
// chunks happens to start among them.
package praat

//go:build !amd64 || purego

package praat

func sincSideAVX2(v []float64, start, step, count int, a, halfsina, c, s, cd, sd float64) (sum float64, done int, aNext, cNext, sNext float64) {
	panic("praat: no AVX2 sinc kernel on this platform")
}

func sincDerivativesAVX2(s *derivativeSums, t *sincTerm, v []float64, start, step, count int, dwx, cd, sd float64) int {
	panic("praat: no AVX2 sinc kernel on this platform")
}

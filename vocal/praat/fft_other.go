//go:build !amd64 || purego

package praat

func (p *fftPlan) transformAVX2(re, im, srcRe, srcIm []float64) {
	panic("praat: no AVX2 FFT on this platform")
}

//go:build !amd64 || purego

package praat

func dotAVX2(x, y *float64, n int) float64 { panic("praat: no AVX2 kernels on this platform") }

func sumAVX2(x *float64, n int) float64 { panic("praat: no AVX2 kernels on this platform") }

func weightedSquaresAVX2(x, w *float64, n int, mean float64) float64 {
	panic("praat: no AVX2 kernels on this platform")
}

func applyWindowAVX2(dst, src, w *float64, n int, mean float64) float64 {
	panic("praat: no AVX2 kernels on this platform")
}

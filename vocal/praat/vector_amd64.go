//go:build amd64 && !purego

package praat

// The kernels of vector_amd64.s, for n ≥ 1. The reductions differ from
// the Go loops by rounding only (another order of addition, fused
// multiply-adds); applyWindowAVX2 computes what applyWindow does exactly.

//go:noescape
func dotAVX2(x, y *float64, n int) float64

//go:noescape
func sumAVX2(x *float64, n int) float64

//go:noescape
func weightedSquaresAVX2(x, w *float64, n int, mean float64) float64

//go:noescape
func applyWindowAVX2(dst, src, w *float64, n int, mean float64) float64

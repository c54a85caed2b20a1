//go:build amd64 && !purego

package praat

// The reductions of vector_amd64.s, for n ≥ 1: they differ from the Go
// loops by rounding only (another order of addition, fused
// multiply-adds).

//go:noescape
func dotAVX2(x, y *float64, n int) float64

//go:noescape
func sumAVX2(x *float64, n int) float64

//go:noescape
func weightedSquaresAVX2(x, w *float64, n int, mean float64) float64

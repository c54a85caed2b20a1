//go:build !amd64 || purego

package infer

const (
	haveAsmKernel    = false
	haveAVX512Kernel = false
)

func micro512(k int, a, b []float32, ldb int, c []float32, ldc int, add []float32, flags int, bias, slope []float32, lo, hi float32) {
	panic("infer: no AVX-512 kernel on this platform")
}

func microAsm(np, k int, a []float32, astep int, b []float32, ldb int, c []float32, ldc int, add []float32, flags int, bias, slope []float32, lo, hi float32) {
	panic("infer: no AVX2 kernel on this platform")
}

func dwRowAsm(dst, src, w []float32) { dwRowGo(dst, src, w) }

func biasActAsm(x []float32, bias, slope, lo, hi float32) int { return 0 }

func dwTapsAsm(dst, src, w []float32, kh, kw, stride int) int { return 0 }

func addClipAsm(dst, a, b []float32, lo, hi float32) int { return 0 }

func dw3x3s2Asm(dst, r0, r1, r2, w []float32, bias, lo, hi float32) {
	panic("infer: no AVX2 depthwise kernel on this platform")
}

func deinterleaveAsm(even, odd, src []float32) int { return 0 }

func dw3x3p1Asm(dst, src, zero, w []float32, width, height int, bias, lo, hi float32) bool {
	return false
}

func evensAsm(dst, src []float32) int { return 0 }

func gemvAsm(np, k int, a []float32, astep, mr int, b []float32, ldb int, out []float32) {
	panic("infer: no AVX2 kernel on this platform")
}

func dw3x3NarrowAsm(dst, src, w, bias []float32, width, height int, lo, hi float32) bool {
	return false
}

func dw3x3s2PlaneAsm(dst, src, zero, w []float32, width, height, ow, oh, padTop, padLeft, nb, xl int, bias, lo, hi float32) {
	panic("infer: no AVX2 depthwise kernel on this platform")
}

func max2x2Asm(dst, r0, r1 []float32) int { return 0 }

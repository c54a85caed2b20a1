//go:build amd64 && !purego

package infer

import "golang.org/x/sys/cpu"

// haveAsmKernel reports whether the AVX2/FMA micro-kernel can run here.
var haveAsmKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// haveAVX512Kernel reports whether the AVX-512 GEMM micro-kernel can run
// (x/sys/cpu also checks that the OS saves the ZMM state).
var haveAVX512Kernel = haveAsmKernel && cpu.X86.HasAVX512F

//go:noescape
func micro8x32(k int, a, b *float32, ldb int, c *float32, ldc int, add *float32, flags int, bias, slope *float32, lo, hi float32)

// micro512 checks the bounds the AVX-512 kernel relies on, then calls it.
// flags: bit 0 adds the tile add (row stride ldc), bit 1 applies the epilogue bias, slope, lo, hi
// (8 rows each).
func micro512(k int, a, b []float32, ldb int, c []float32, ldc int, add []float32, flags int, bias, slope []float32, lo, hi float32) {
	_ = a[k*8-1]
	_ = b[(k-1)*ldb+31]
	_ = c[7*ldc+31]
	ap := addRows(add, ldc, flags, 8, 32)
	bp, sp := epiRows(bias, slope, flags, 8)
	micro8x32(k, &a[0], &b[0], ldb, &c[0], ldc, ap, flags, bp, sp, lo, hi)
}

//go:noescape
func micro6x16(np, k int, a *float32, astep int, b *float32, ldb int, c *float32, ldc int, add *float32, flags int, bias, slope *float32, lo, hi float32)

// microAsm checks the bounds the AVX2 kernel relies on, then calls it for
// np tiles stacked down C (A panels astep floats apart); flags as for
// micro512, with 6 rows a tile.
func microAsm(np, k int, a []float32, astep int, b []float32, ldb int, c []float32, ldc int, add []float32, flags int, bias, slope []float32, lo, hi float32) {
	_ = a[(np-1)*astep+k*6-1]
	_ = b[(k-1)*ldb+15]
	_ = c[(6*np-1)*ldc+15]
	ap := addRows(add, ldc, flags, 6*np, 16)
	bp, sp := epiRows(bias, slope, flags, 6*np)
	micro6x16(np, k, &a[0], astep, &b[0], ldb, &c[0], ldc, ap, flags, bp, sp, lo, hi)
}

// addRows returns the tile added to the product, checking its extent,
// when flags asks for it.
func addRows(add []float32, ldc, flags, mr, nr int) *float32 {
	if flags&1 == 0 {
		return nil
	}
	_ = add[(mr-1)*ldc+nr-1]
	return &add[0]
}

// epiRows returns the epilogue's rows for the assembly, checking that
// there are mr of each when it applies.
func epiRows(bias, slope []float32, flags, mr int) (*float32, *float32) {
	if flags&2 == 0 {
		return nil, nil
	}
	_, _ = bias[mr-1], slope[mr-1]
	return &bias[0], &slope[0]
}

//go:noescape
func dwrow8(dst, src, w *float32, n8, kw int)

// dwRowAsm is dwRowGo for len(dst) a multiple of 8, in AVX2/FMA.
func dwRowAsm(dst, src, w []float32) {
	_ = src[len(dst)+len(w)-2]
	dwrow8(&dst[0], &src[0], &w[0], len(dst)/8, len(w))
}

//go:noescape
func biasAct8(x *float32, n8 int, bias, slope, lo, hi float32)

// biasActAsm sets x[i] = min(max(v < 0 ? v·slope : v, lo), hi), v =
// x[i]+bias, for the first len(x)&^7 elements and returns how many it did.
func biasActAsm(x []float32, bias, slope, lo, hi float32) int {
	n8 := len(x) / 8
	if n8 > 0 {
		biasAct8(&x[0], n8, bias, slope, lo, hi)
	}
	return n8 * 8
}

//go:noescape
func dwtaps8(dst, src, w *float32, n8, kh, kw, stride int)

//go:noescape
func dw3x3s1(dst, src, w *float32, n8, stride int)

// dwTapsAsm adds Σ w[ky*kw+kx]·src[ky*stride+x+kx] to dst[x] for the first
// len(dst)&^7 outputs and returns how many it did.
func dwTapsAsm(dst, src, w []float32, kh, kw, stride int) int {
	n8 := len(dst) / 8
	if n8 == 0 {
		return 0
	}
	_ = src[(kh-1)*stride+n8*8+kw-2]
	_ = w[kh*kw-1]
	if kh == 3 && kw == 3 {
		dw3x3s1(&dst[0], &src[0], &w[0], n8, stride)
	} else {
		dwtaps8(&dst[0], &src[0], &w[0], n8, kh, kw, stride)
	}
	return n8 * 8
}

//go:noescape
func addClip8(dst, a, b *float32, n8 int, lo, hi float32)

// addClipAsm sets dst[i] = min(max(a[i]+b[i], lo), hi) for the first
// len(dst)&^7 elements and returns how many it did.
func addClipAsm(dst, a, b []float32, lo, hi float32) int {
	n8 := len(dst) / 8
	if n8 > 0 {
		_, _ = a[n8*8-1], b[n8*8-1]
		addClip8(&dst[0], &a[0], &b[0], n8, lo, hi)
	}
	return n8 * 8
}

//go:noescape
func dw3x3s2(dst, r0, r1, r2, w *float32, n8 int, bias, lo, hi float32)

// dw3x3s2Asm computes len(dst)/8 blocks of a 3×3 stride-2 depthwise output
// row (see dw3x3s2) from the rows r0, r1, r2, which start at the first
// block's first column.
func dw3x3s2Asm(dst, r0, r1, r2, w []float32, bias, lo, hi float32) {
	n8 := len(dst) / 8
	if n8 == 0 {
		return
	}
	_, _, _, _ = r0[16*n8+1], r1[16*n8+1], r2[16*n8+1], w[8]
	dw3x3s2(&dst[0], &r0[0], &r1[0], &r2[0], &w[0], n8, bias, lo, hi)
}

//go:noescape
func deint16(even, odd, src *float32, n16 int)

// deinterleaveAsm sets even[j] = src[2j] and odd[j] = src[2j+1] for the
// first len(src)&^15 elements of src and returns how many it consumed.
func deinterleaveAsm(even, odd, src []float32) int {
	n16 := len(src) / 16
	if n16 == 0 {
		return 0
	}
	_, _ = even[n16*8-1], odd[n16*8-1]
	deint16(&even[0], &odd[0], &src[0], n16)
	return n16 * 16
}

//go:noescape
func dw3x3p1(dst, src, zero, w *float32, width, height int, bias, lo, hi float32)

// dw3x3p1Asm computes a whole 3×3 depthwise plane with stride 1 and one
// pixel of zero padding (see dw3x3p1) into dst, bias and clamp included. It
// reports false, doing nothing, for planes narrower than 10.
func dw3x3p1Asm(dst, src, zero, w []float32, width, height int, bias, lo, hi float32) bool {
	if width < 10 || height < 1 {
		return false
	}
	_, _, _, _ = dst[width*height-1], src[width*height-1], zero[width-1], w[8]
	dw3x3p1(&dst[0], &src[0], &zero[0], &w[0], width, height, bias, lo, hi)
	return true
}

//go:noescape
func evens8(dst, src *float32, n8 int)

// evensAsm sets dst[j] = src[2j] for as many blocks of 8 as dst and src
// (16 floats a block) hold, and returns how many outputs it set.
func evensAsm(dst, src []float32) int {
	n8 := min(len(dst)/8, len(src)/16)
	if n8 == 0 {
		return 0
	}
	evens8(&dst[0], &src[0], n8)
	return n8 * 8
}

//go:noescape
func gemvPanels(np, k int, a *float32, astep, mr int, b *float32, ldb int, out *float32, mask *int32)

// laneMasks[8-n:] starts with n lanes of −1 (a VMASKMOVPS mask of n floats).
var laneMasks = [16]int32{-1, -1, -1, -1, -1, -1, -1, -1}

// gemvAsm sets out[p·mr+i] = Σ_k a_p[k·mr+i]·b[k·ldb] for np A panels of
// mr ≤ 8 rows, astep floats apart (see gemvPanels).
func gemvAsm(np, k int, a []float32, astep, mr int, b []float32, ldb int, out []float32) {
	_ = a[(np-1)*astep+k*mr-1]
	_ = b[(k-1)*ldb]
	_ = out[np*mr-1]
	gemvPanels(np, k, &a[0], astep, mr, &b[0], ldb, &out[0], &laneMasks[8-mr])
}

//go:noescape
func dw3x3narrow(dst, src, w, bias *float32, mask *int32, width, height, planes int, lo, hi float32)

// dw3x3NarrowAsm computes the 3×3 stride-1 pad-1 depthwise planes of src
// into dst, as many as bias has, weights 9 a plane, bias and clamp
// included (see dw3x3narrow). It reports false, doing nothing, for planes
// wider than maxNarrowWidth.
func dw3x3NarrowAsm(dst, src, w, bias []float32, width, height int, lo, hi float32) bool {
	planes := len(bias)
	if width > maxNarrowWidth || width < 1 || height < 1 || planes == 0 {
		return false
	}
	n := planes * width * height
	_, _, _ = dst[n-1], src[n-1], w[9*planes-1]
	dw3x3narrow(&dst[0], &src[0], &w[0], &bias[0], &laneMasks[8-width], width, height, planes, lo, hi)
	return true
}

//go:noescape
func dw3x3s2plane(dst, src, zero, w *float32, width, height, ow, oh, padTop, padLeft, nb, xl int, bias, lo, hi float32)

// dw3x3s2PlaneAsm computes a whole 3×3 stride-2 depthwise plane (see
// dw3x3s2plane) into dst: nb blocks of 8 outputs from x = padLeft, one
// more at xl unless it is negative, the edges around them. zero is a row
// of width zeros.
func dw3x3s2PlaneAsm(dst, src, zero, w []float32, width, height, ow, oh, padTop, padLeft, nb, xl int, bias, lo, hi float32) {
	last := padLeft + 8*nb // the first output after the blocks
	if xl >= 0 {
		last = xl + 8
	}
	if nb < 1 || padTop > 1 || padLeft > 1 || last > ow || 2*(last-8)-padLeft+18 > width || (xl >= 0 && xl < padLeft) {
		panic("infer: dw3x3s2plane blocks outside the plane")
	}
	_, _, _, _ = dst[ow*oh-1], src[width*height-1], zero[width-1], w[8]
	dw3x3s2plane(&dst[0], &src[0], &zero[0], &w[0], width, height, ow, oh, padTop, padLeft, nb, xl, bias, lo, hi)
}

//go:noescape
func max2x2(dst, r0, r1 *float32, n8 int)

// max2x2Asm sets dst[j] to the largest of r0[2j], r0[2j+1], r1[2j] and
// r1[2j+1] for the first len(dst)&^7 outputs and returns how many it set.
// Without NaNs it gives what Go's max does; a NaN may be passed over.
func max2x2Asm(dst, r0, r1 []float32) int {
	n8 := len(dst) / 8
	if n8 == 0 {
		return 0
	}
	_, _ = r0[16*n8-1], r1[16*n8-1]
	max2x2(&dst[0], &r0[0], &r1[0], n8)
	return n8 * 8
}

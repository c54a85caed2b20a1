package infer

import (
	"fmt"
	"math"
	"os"
)

// SGEMM: C = A·B (+ C) on float32, cache-blocked in the usual way. A (the
// weights) is packed once at load into panels of mr rows; B is packed per
// call into panels of nr columns and kc rows, which stay in L1 while every A
// panel streams past. The mr×nr micro-kernels (AVX2/FMA and AVX-512
// assembly on amd64, pure Go everywhere) give the same results up to
// float32 rounding and are tested against each other. A Conv's bias and
// clamp or PRelu are applied to each tile as it leaves the registers
// (epilogue), so the output is written once.

const kc = 256 // depth of one packed block

// gemmKernel is the micro-kernel chosen once per model, with its tile:
// the pure-Go kernel computes 4×16 tiles, the AVX2 one 6×16 (twelve of the
// sixteen YMM registers accumulate, so each B load feeds six FMAs), the
// AVX-512 one 8×32.
type gemmKernel struct {
	kind   kernelKind
	mr, nr int
}

type kernelKind uint8

const (
	kernelGo kernelKind = iota
	kernelAVX2
	kernelAVX512
)

func (k kernelKind) String() string {
	return [...]string{"go", "avx2", "avx512"}[k]
}

func newGemm(kind kernelKind) gemmKernel {
	switch kind {
	case kernelAVX512:
		return gemmKernel{kind: kind, mr: 8, nr: 32}
	case kernelAVX2:
		return gemmKernel{kind: kind, mr: 6, nr: 16}
	}
	return gemmKernel{kind: kind, mr: 4, nr: 16}
}

// kernelsEnv names the environment variable that caps the kernels: "avx2"
// keeps an AVX-512 machine on the AVX2/FMA kernels (what an AVX2-only
// machine runs, for benchmarks and tests of that path), "go" is
// Options.PortableKernels for every model of the process. It is read at
// each Load; unset, empty or "auto" means the best the CPU has.
const kernelsEnv = "NEVERMIND_INFER_KERNELS"

// kernelCap parses kernelsEnv: the most capable kernel kind Load may pick.
func kernelCap() (kernelKind, error) {
	switch v := os.Getenv(kernelsEnv); v {
	case "", "auto", "avx512":
		return kernelAVX512, nil
	case "avx2":
		return kernelAVX2, nil
	case "go":
		return kernelGo, nil
	default:
		return 0, fmt.Errorf("infer: %s=%q (want auto, avx512, avx2 or go)", kernelsEnv, v)
	}
}

// selectGemm picks the fastest kernel this CPU runs up to limit, or the
// pure-Go one.
func selectGemm(limit kernelKind) gemmKernel {
	switch {
	case limit >= kernelAVX512 && haveAVX512Kernel:
		return newGemm(kernelAVX512)
	case limit >= kernelAVX2 && haveAsmKernel:
		return newGemm(kernelAVX2)
	}
	return newGemm(kernelGo)
}

// epilogue is what gemm applies to every element of C once its sum is
// complete: v = x + bias[row]; v·slope[row] where v < 0; clamped to
// [lo, hi]. That covers a Conv's bias with no activation, Relu, Clip and
// PRelu (slope 1 and infinite bounds are no-ops).
type epilogue struct {
	bias, slope []float32 // one per row, zero- and one-padded to whole mr-row panels
	lo, hi      float32
}

// newEpilogue returns the epilogue of m rows with bias and act, or nil when
// act is not one an epilogue can apply.
func (g gemmKernel) newEpilogue(bias []float32, act *activation, channel0 int) *epilogue {
	m := len(bias)
	rows := (m + g.mr - 1) / g.mr * g.mr
	ep := &epilogue{bias: make([]float32, rows), slope: make([]float32, rows)}
	copy(ep.bias, bias)
	for i := range ep.slope {
		ep.slope[i] = 1
	}
	if act.kind == actPRelu {
		copy(ep.slope, act.slope[channel0:channel0+m])
		ep.lo, ep.hi = float32(math.Inf(-1)), float32(math.Inf(1))
		return ep
	}
	lo, hi, ok := act.bounds()
	if !ok {
		return nil
	}
	ep.lo, ep.hi = lo, hi
	return ep
}

// apply is the epilogue on rows [row, row+h) of a tile of w columns, in Go
// (the assembly kernels do it in registers).
func (ep *epilogue) apply(c []float32, ldc, row, h, w int) {
	for i := range h {
		r := c[i*ldc : i*ldc+w]
		for j, v := range r {
			r[j] = ep.one(v, row+i)
		}
	}
}

// one is the epilogue of the sum v in row r.
func (ep *epilogue) one(v float32, r int) float32 {
	if v += ep.bias[r]; v < 0 {
		v *= ep.slope[r]
	}
	return min(max(v, ep.lo), ep.hi)
}

// micro computes np mr×nr tiles stacked down c (row stride ldc): tile p =
// a_p·b over k steps, where the packed A panel a_p starts p·astep floats
// into a and b's rows are ldb apart, plus the matching rows of add (row
// stride ldc; it may be c itself) unless add is nil, then applies ep (if
// not nil) as rows [row, row+np·mr). (A switch rather than a func value
// keeps the calls direct, so the edge tile stays on the stack.)
func (g gemmKernel) micro(np, k int, a []float32, astep int, b []float32, ldb int, c []float32, ldc int, add []float32, ep *epilogue, row int) {
	if g.kind == kernelAVX2 {
		// The AVX2 kernel walks the panels itself.
		flags, bias, slope, lo, hi := g.epiArgs(add, ep, row, np*g.mr)
		microAsm(np, k, a, astep, b, ldb, c, ldc, add, flags, bias, slope, lo, hi)
		return
	}
	for p := range np {
		ap, cp := a[p*astep:], c[p*g.mr*ldc:]
		var pt []float32
		if add != nil {
			pt = add[p*g.mr*ldc:]
		}
		r := row + p*g.mr
		if g.kind == kernelGo {
			if pt != nil && &pt[0] != &cp[0] {
				for i := range g.mr {
					copy(cp[i*ldc:i*ldc+g.nr], pt[i*ldc:])
				}
			}
			microGo(k, ap, b, ldb, cp, ldc, pt != nil)
			if ep != nil {
				ep.apply(cp, ldc, r, g.mr, g.nr)
			}
			continue
		}
		flags, bias, slope, lo, hi := g.epiArgs(pt, ep, r, g.mr)
		micro512(k, ap, b, ldb, cp, ldc, pt, flags, bias, slope, lo, hi)
	}
}

// epiArgs is what the assembly kernels take for add and ep on rows [row,
// row+rows): flags bit 0 to add, bit 1 for the epilogue, and its rows.
func (g gemmKernel) epiArgs(add []float32, ep *epilogue, row, rows int) (flags int, bias, slope []float32, lo, hi float32) {
	if add != nil {
		flags = 1
	}
	if ep != nil {
		flags |= 2
		bias, slope, lo, hi = ep.bias[row:row+rows], ep.slope[row:row+rows], ep.lo, ep.hi
	}
	return flags, bias, slope, lo, hi
}

// packedLen is the length of A (m×k) packed into mr-row panels.
func (g gemmKernel) packedLen(m, k int) int { return (m + g.mr - 1) / g.mr * g.mr * k }

// packA packs the row-major m×k matrix a (row stride lda) into dst: for each
// panel of mr rows, k groups of mr values, zero-padded past row m.
func (g gemmKernel) packA(dst, a []float32, m, k, lda int) { g.packAStrided(dst, a, m, k, lda, 1) }

// packAStrided packs A given its row stride rs and column stride cs.
func (g gemmKernel) packAStrided(dst, a []float32, m, k, rs, cs int) {
	mr := g.mr
	for p := 0; p*mr < m; p++ {
		panel := dst[p*mr*k : (p+1)*mr*k]
		for i := range mr {
			r := p*mr + i
			if r >= m {
				for kk := range k {
					panel[kk*mr+i] = 0
				}
				continue
			}
			for kk := range k {
				panel[kk*mr+i] = a[r*rs+kk*cs]
			}
		}
	}
}

// packPanel copies the k×w block of b (row stride ldb, w ≤ nr) into dst as
// one panel of nr columns, zero-padded past w.
func (g gemmKernel) packPanel(dst, b []float32, k, w, ldb int) {
	nr := g.nr
	for kk := range k {
		row := dst[kk*nr : kk*nr+nr]
		copy(row, b[kk*ldb:kk*ldb+w])
		clear(row[w:])
	}
}

// packBLen is the scratch gemm needs to pack a panel of B.
func (g gemmKernel) packBLen() int { return kc * g.nr }

// directB reports whether gemm reads whole B panels in place at row stride
// ldb. Strides that are a multiple of 1 KiB map a panel's rows onto a few
// L1 sets, which then thrash; those panels are copied (as are partial
// panels, which would read past the matrix).
func directB(ldb int) bool { return ldb%256 != 0 }

// maxDirectPanel is the largest B panel (kl·nr floats) gemm reads in
// place. Each row of a panel read in place touches one cache line more
// than it holds when it is not aligned, so a 256×32 AVX-512 panel (32
// KiB) spans up to 48 KiB of lines, all of a 48 KiB L1, and is evicted by
// the A panels streaming past: packed, PoseNet's pointwise layers ran ~20 %
// faster on the AVX-512 path. The AVX2 panels (256×16) stay in place.
const maxDirectPanel = 4096

// roundCols rounds a column count up to whole panels.
func (g gemmKernel) roundCols(n int) int { return (n + g.nr - 1) / g.nr * g.nr }

// gemm computes C[m×n] = A·B, plus the m×n matrix add (row stride ldc; it
// may be c itself) unless add is nil, then applies ep unless it is nil. ap
// is A packed by packA with depth k; b has row stride ldb; c has row stride
// ldc; bp is scratch of at least packBLen().
func (g gemmKernel) gemm(ap []float32, m, k int, b []float32, ldb, n int, c []float32, ldc int, bp []float32, add []float32, ep *epilogue) {
	var tile [8 * 32]float32
	mr, nr := g.mr, g.nr
	panels := (m + mr - 1) / mr
	direct := directB(ldb)
	for k0 := 0; k0 < k; k0 += kc {
		kl := min(kc, k-k0)
		plus := add
		if k0 > 0 {
			plus = c // the sums so far
		}
		last := ep
		if k0+kl < k {
			last = nil // the sums are not complete yet
		}
		inPlace := direct && kl*nr <= maxDirectPanel
		for j0 := 0; j0 < n; j0 += nr {
			w := min(nr, n-j0)
			if w <= gemvCols && g.kind != kernelGo && len(bp) >= panels*mr {
				g.gemvColumns(ap, m, k, k0, kl, b[k0*ldb+j0:], ldb, w, c[j0:], ldc, plus, j0, last, bp)
				continue
			}
			bpan, bstride := b[k0*ldb+j0:], ldb
			if !inPlace || w < nr {
				g.packPanel(bp, bpan, kl, w, ldb)
				bpan, bstride = bp, nr
			}
			full := 0 // panels computed in place
			if w == nr {
				full = m / mr
				var pt []float32
				if plus != nil {
					pt = plus[j0:]
				}
				if full > 0 {
					g.micro(full, kl, ap[k0*mr:], mr*k, bpan, bstride, c[j0:], ldc, pt, last, 0)
				}
			}
			for p := full; p < panels; p++ {
				apan := ap[p*mr*k+k0*mr : p*mr*k+(k0+kl)*mr]
				h := min(mr, m-p*mr)
				// Edge tile: compute in a full temporary tile.
				var pt []float32
				if plus != nil {
					for i := range h {
						copy(tile[i*nr:i*nr+w], plus[(p*mr+i)*ldc+j0:])
					}
					pt = tile[:]
				}
				g.micro(1, kl, apan, 0, bpan, bstride, tile[:mr*nr], nr, pt, last, p*mr)
				for i := range h {
					copy(c[(p*mr+i)*ldc+j0:(p*mr+i)*ldc+j0+w], tile[i*nr:i*nr+w])
				}
			}
		}
	}
}

// gemvCols is the widest last column panel that gemm computes a column at
// a time (gemvColumns) instead of as padded tiles: a tile's cost does not
// shrink with its width, and the models' planes are often 2^k+1 wide
// (PoseNet's 17×17 = 289 columns leave one past the last whole panel).
const gemvCols = 4

// gemvColumns is gemm's depth block [k0, k0+kl) for the w columns of b
// (row stride ldb) and c (row stride ldc), one at a time by the assembly
// matrix-vector kernel into out (scratch of whole panels), then in Go: plus
// added (its columns start at j0), the epilogue last applied (if not
// nil), stored in c.
func (g gemmKernel) gemvColumns(ap []float32, m, k, k0, kl int, b []float32, ldb, w int, c []float32, ldc int, plus []float32, j0 int, last *epilogue, out []float32) {
	mr := g.mr
	panels := (m + mr - 1) / mr
	for j := range w {
		gemvAsm(panels, kl, ap[k0*mr:], mr*k, mr, b[j:], ldb, out)
		for r, v := range out[:m] {
			if plus != nil {
				v += plus[r*ldc+j0+j]
			}
			if last != nil {
				v = last.one(v, r)
			}
			c[r*ldc+j] = v
		}
	}
}

// microGo is the portable 4×16 micro-kernel. It walks the tile in 2×4
// blocks whose eight sums stay in registers (a 4×4 block spills on amd64,
// and a whole-tile array lives in memory); about twice as fast as either.
func microGo(k int, a, b []float32, ldb int, c []float32, ldc int, acc bool) {
	const mr, nr = 4, 16
	a, b = a[:k*mr], b[:(k-1)*ldb+nr]
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p := range k {
				bb := (*[4]float32)(b[p*ldb+j : p*ldb+j+4])
				a0, a1 := a[p*mr+i], a[p*mr+i+1]
				b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
			}
			r0 := (*[4]float32)(c[i*ldc+j : i*ldc+j+4])
			r1 := (*[4]float32)(c[(i+1)*ldc+j : (i+1)*ldc+j+4])
			if acc {
				r0[0], r0[1], r0[2], r0[3] = r0[0]+c00, r0[1]+c01, r0[2]+c02, r0[3]+c03
				r1[0], r1[1], r1[2], r1[3] = r1[0]+c10, r1[1]+c11, r1[2]+c12, r1[3]+c13
			} else {
				*r0 = [4]float32{c00, c01, c02, c03}
				*r1 = [4]float32{c10, c11, c12, c13}
			}
		}
	}
}

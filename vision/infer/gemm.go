package infer

import (
	"fmt"
	"os"
)

// SGEMM: C = A·B (+ C) on float32, cache-blocked in the usual way. A (the
// weights) is packed once at load into panels of mr rows; B is packed per
// call into panels of nr columns and kc rows, which stay in L1 while every A
// panel streams past. The mr×nr micro-kernel has an AVX2/FMA assembly
// version on amd64 and a pure-Go version everywhere; both give the same
// results up to float32 rounding and are tested against each other.

const kc = 256 // depth of one packed block

// gemmKernel is the micro-kernel chosen once per model, with its tile:
// the pure-Go and AVX2 kernels compute 4×16 tiles, the AVX-512 one 8×32.
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
	if kind == kernelAVX512 {
		return gemmKernel{kind: kind, mr: 8, nr: 32}
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

// micro computes the mr×nr tile c (row stride ldc) = a·b over k packed
// steps, adding to c when acc is set. (A switch rather than a func value
// keeps the calls direct, so the edge tile stays on the stack.)
func (g gemmKernel) micro(k int, a, b, c []float32, ldc int, acc bool) {
	switch g.kind {
	case kernelAVX512:
		micro512(k, a, b, c, ldc, acc)
	case kernelAVX2:
		microAsm(k, a, b, c, ldc, acc)
	default:
		microGo(k, a, b, c, ldc, acc)
	}
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

// packB packs k×n of b (row stride ldb) into panels of nr columns.
func (g gemmKernel) packB(dst, b []float32, k, n, ldb int) {
	nr := g.nr
	for j0 := 0; j0 < n; j0 += nr {
		panel := dst[j0*k : j0*k+nr*k]
		w := min(nr, n-j0)
		if w == nr {
			for kk := range k {
				copy(panel[kk*nr:kk*nr+nr], b[kk*ldb+j0:kk*ldb+j0+nr])
			}
			continue
		}
		for kk := range k {
			dst := panel[kk*nr : kk*nr+nr]
			copy(dst, b[kk*ldb+j0:kk*ldb+j0+w])
			clear(dst[w:])
		}
	}
}

// packBLen is the scratch packB needs for n columns.
func (g gemmKernel) packBLen(n int) int { return kc * ((n + g.nr - 1) / g.nr * g.nr) }

// roundCols rounds a column count up to whole panels.
func (g gemmKernel) roundCols(n int) int { return (n + g.nr - 1) / g.nr * g.nr }

// gemm computes C[m×n] = A·B, or C += A·B when acc is set. ap is A packed by
// packA with depth k; b has row stride ldb; c has row stride ldc; bp is
// scratch of at least packBLen(n).
func (g gemmKernel) gemm(ap []float32, m, k int, b []float32, ldb, n int, c []float32, ldc int, bp []float32, acc bool) {
	var tile [8 * 32]float32
	mr, nr := g.mr, g.nr
	panels := (m + mr - 1) / mr
	for k0 := 0; k0 < k; k0 += kc {
		kl := min(kc, k-k0)
		g.packB(bp, b[k0*ldb:], kl, n, ldb)
		accum := acc || k0 > 0
		for j0 := 0; j0 < n; j0 += nr {
			bpan := bp[j0*kl : j0*kl+nr*kl]
			w := min(nr, n-j0)
			for p := range panels {
				apan := ap[p*mr*k+k0*mr : p*mr*k+(k0+kl)*mr]
				h := min(mr, m-p*mr)
				if w == nr && h == mr {
					g.micro(kl, apan, bpan, c[p*mr*ldc+j0:], ldc, accum)
					continue
				}
				// Edge tile: compute in a full temporary tile.
				if accum {
					for i := range h {
						copy(tile[i*nr:i*nr+w], c[(p*mr+i)*ldc+j0:])
					}
				}
				g.micro(kl, apan, bpan, tile[:mr*nr], nr, accum)
				for i := range h {
					copy(c[(p*mr+i)*ldc+j0:(p*mr+i)*ldc+j0+w], tile[i*nr:i*nr+w])
				}
			}
		}
	}
}

// microGo is the portable 4×16 micro-kernel. It walks the tile in 2×4
// blocks whose eight sums stay in registers (a 4×4 block spills on amd64,
// and a whole-tile array lives in memory); about twice as fast as either.
func microGo(k int, a, b, c []float32, ldc int, acc bool) {
	const mr, nr = 4, 16
	a, b = a[:k*mr], b[:k*nr]
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p := range k {
				bb := (*[4]float32)(b[p*nr+j : p*nr+j+4])
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

package infer

// SGEMM: C = A·B (+ C) on float32, cache-blocked in the usual way. A (the
// weights) is packed once at load into panels of mr rows; B is packed per
// call into panels of nr columns and kc rows, which stay in L1 while every A
// panel streams past. The mr×nr micro-kernel has an AVX2/FMA assembly
// version on amd64 and a pure-Go version everywhere; both give the same
// results up to float32 rounding and are tested against each other.

const (
	mr = 4   // rows of the micro-kernel tile
	nr = 16  // columns of the micro-kernel tile
	kc = 256 // depth of one packed block
)

// gemmKernel selects the micro-kernel once per model. (A plain flag rather
// than a func value keeps the calls direct, so the edge tile stays on the
// stack.)
type gemmKernel struct {
	asm bool
}

func selectGemm(portable bool) gemmKernel {
	return gemmKernel{asm: !portable && haveAsmKernel}
}

// micro computes the mr×nr tile c (row stride ldc) = a·b over k packed
// steps, adding to c when acc is set.
func (g gemmKernel) micro(k int, a, b, c []float32, ldc int, acc bool) {
	if g.asm {
		microAsm(k, a, b, c, ldc, acc)
	} else {
		microGo(k, a, b, c, ldc, acc)
	}
}

// packedLen is the length of A (m×k) packed into mr-row panels.
func packedLen(m, k int) int { return (m + mr - 1) / mr * mr * k }

// packA packs the row-major m×k matrix a (row stride lda) into dst: for each
// panel of mr rows, k groups of mr values, zero-padded past row m.
func packA(dst, a []float32, m, k, lda int) {
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
			row := a[r*lda : r*lda+k]
			for kk, v := range row {
				panel[kk*mr+i] = v
			}
		}
	}
}

// packB packs k×n of b (row stride ldb) into panels of nr columns.
func packB(dst, b []float32, k, n, ldb int) {
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
func packBLen(n int) int { return kc * ((n + nr - 1) / nr * nr) }

// gemm computes C[m×n] = A·B, or C += A·B when acc is set. ap is A packed by
// packA with depth k; b has row stride ldb; c has row stride ldc; bp is
// scratch of at least packBLen(n).
func (g gemmKernel) gemm(ap []float32, m, k int, b []float32, ldb, n int, c []float32, ldc int, bp []float32, acc bool) {
	var tile [mr * nr]float32
	panels := (m + mr - 1) / mr
	for k0 := 0; k0 < k; k0 += kc {
		kl := min(kc, k-k0)
		packB(bp, b[k0*ldb:], kl, n, ldb)
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
				g.micro(kl, apan, bpan, tile[:], nr, accum)
				for i := range h {
					copy(c[(p*mr+i)*ldc+j0:(p*mr+i)*ldc+j0+w], tile[i*nr:i*nr+w])
				}
			}
		}
	}
}

// microGo is the portable micro-kernel.
func microGo(k int, a, b, c []float32, ldc int, acc bool) {
	var t [mr][nr]float32
	a, b = a[:k*mr], b[:k*nr]
	for p := range k {
		bb := (*[nr]float32)(b[p*nr : p*nr+nr])
		aa := (*[mr]float32)(a[p*mr : p*mr+mr])
		for i := range mr {
			av := aa[i]
			row := &t[i]
			for j := range nr {
				row[j] += av * bb[j]
			}
		}
	}
	for i := range mr {
		dst := (*[nr]float32)(c[i*ldc : i*ldc+nr])
		if acc {
			for j := range nr {
				dst[j] += t[i][j]
			}
		} else {
			*dst = t[i]
		}
	}
}

//go:build amd64 && !purego

package praat

// transformAVX2 is transform for n ≥ 16 with the passes in fft_amd64.s; the
// caller has cut the four slices to n.
func (p *fftPlan) transformAVX2(re, im, srcRe, srcIm []float64) {
	n := p.n
	fftFirstPass4(&re[0], &im[0], &srcRe[0], &srcIm[0], n/4, &p.blockStart[0])
	m := 8
	for ; 2*m <= n; m <<= 2 {
		half := m / 2
		fftRadix4Pass4(&re[0], &im[0], n/(2*m), half, &p.twr[half-1], &p.twi[half-1], &p.tw3r[half-1], &p.tw3i[half-1])
	}
	if m <= n {
		half := m / 2
		fftRadix2Pass4(&re[0], &im[0], n/m, half, &p.twr[half-1], &p.twi[half-1])
	}
}

// fftFirstPass4 is firstPass for q (= n/4) a multiple of 4, four
// transforms at a time.
//
//go:noescape
func fftFirstPass4(re, im, srcRe, srcIm *float64, q int, blockStart *int32)

// fftRadix4Pass4 is radix4Pass over blocks blocks of 4·half points, half a
// multiple of 4; w1r and w1i point at the pass's first twiddle (w², and
// w at half points further), w3r and w3i at its first cubed twiddle.
//
//go:noescape
func fftRadix4Pass4(re, im *float64, blocks, half int, w1r, w1i, w3r, w3i *float64)

// fftRadix2Pass4 is radix2Pass over blocks blocks of 2·half points, half a
// multiple of 4.
//
//go:noescape
func fftRadix2Pass4(re, im *float64, blocks, half int, wr, wi *float64)

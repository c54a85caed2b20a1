//go:build amd64 && !purego

#include "textflag.h"

// CMUL loads the complex vector (xr, xi) and the twiddles (wr, wi) and
// writes their product into (re, im) as the Go code computes it:
// re = xr·wr − xi·wi, im = xr·wi + xi·wr. It uses Y0–Y3 and tmp.
#define CMUL(xr, xi, wr, wi, re, im, tmp) \
	VMOVUPD xr, Y0; \
	VMOVUPD xi, Y1; \
	VMOVUPD wr, Y2; \
	VMOVUPD wi, Y3; \
	VMULPD Y2, Y0, re; \
	VMULPD Y3, Y1, im; \
	VSUBPD im, re, re; \
	VMULPD Y3, Y0, im; \
	VMULPD Y2, Y1, tmp; \
	VADDPD tmp, im, im

// The kernels below do, four butterflies at a time, exactly the
// operations of firstPass, radix4Pass and radix2Pass in fft.go, in the
// same order and without fused multiply-adds, so both paths give the same
// bits.

// func fftFirstPass4(re, im, srcRe, srcIm *float64, q int, blockStart *int32)
TEXT ·fftFirstPass4(SB), NOSPLIT, $0-48
	MOVQ re+0(FP), AX
	MOVQ im+8(FP), BX
	MOVQ srcRe+16(FP), CX
	MOVQ srcIm+24(FP), DX
	MOVQ q+32(FP), SI
	MOVQ blockStart+40(FP), DI
	MOVQ SI, R8
	SHLQ $3, R8            // R8: a quarter, in bytes
	LEAQ (R8)(R8*1), R9    // R9: two quarters
	LEAQ (R9)(R8*1), R10   // R10: three quarters
	SHRQ $2, SI            // iterations: four transforms each

first:
	VMOVUPD (CX), Y0
	VMOVUPD (CX)(R8*1), Y1
	VMOVUPD (CX)(R9*1), Y2
	VMOVUPD (CX)(R10*1), Y3
	VMOVUPD (DX), Y4
	VMOVUPD (DX)(R8*1), Y5
	VMOVUPD (DX)(R9*1), Y6
	VMOVUPD (DX)(R10*1), Y7
	VADDPD Y2, Y0, Y8      // ar = x0r + x2r
	VSUBPD Y2, Y0, Y9      // br = x0r - x2r
	VADDPD Y3, Y1, Y10     // cr = x1r + x3r
	VSUBPD Y3, Y1, Y11     // dr = x1r - x3r
	VADDPD Y6, Y4, Y12     // ai
	VSUBPD Y6, Y4, Y13     // bi
	VADDPD Y7, Y5, Y14     // ci
	VSUBPD Y7, Y5, Y15     // di
	VADDPD Y10, Y8, Y0     // o0r = ar + cr
	VADDPD Y15, Y9, Y1     // o1r = br + di
	VSUBPD Y10, Y8, Y2     // o2r = ar - cr
	VSUBPD Y15, Y9, Y3     // o3r = br - di
	VADDPD Y14, Y12, Y4    // o0i = ai + ci
	VSUBPD Y11, Y13, Y5    // o1i = bi - dr
	VSUBPD Y14, Y12, Y6    // o2i = ai - ci
	VADDPD Y11, Y13, Y7    // o3i = bi + dr

	// Transpose so that each register holds one transform's four outputs.
	VUNPCKLPD Y1, Y0, Y8
	VUNPCKHPD Y1, Y0, Y9
	VUNPCKLPD Y3, Y2, Y10
	VUNPCKHPD Y3, Y2, Y11
	VPERM2F128 $0x20, Y10, Y8, Y0
	VPERM2F128 $0x20, Y11, Y9, Y1
	VPERM2F128 $0x31, Y10, Y8, Y2
	VPERM2F128 $0x31, Y11, Y9, Y3
	VUNPCKLPD Y5, Y4, Y12
	VUNPCKHPD Y5, Y4, Y13
	VUNPCKLPD Y7, Y6, Y14
	VUNPCKHPD Y7, Y6, Y15
	VPERM2F128 $0x20, Y14, Y12, Y4
	VPERM2F128 $0x20, Y15, Y13, Y5
	VPERM2F128 $0x31, Y14, Y12, Y6
	VPERM2F128 $0x31, Y15, Y13, Y7

	// Transforms r, r+1, r+2, r+3 (r a multiple of 4) land at s, s+2q,
	// s+q and s+3q, s = blockStart[r]: bit reversal maps the low two bits
	// of r to the top two of its image.
	MOVLQSX (DI), R12
	SHLQ $3, R12
	LEAQ (AX)(R12*1), R13
	LEAQ (BX)(R12*1), R11
	VMOVUPD Y0, (R13)
	VMOVUPD Y1, (R13)(R9*1)
	VMOVUPD Y2, (R13)(R8*1)
	VMOVUPD Y3, (R13)(R10*1)
	VMOVUPD Y4, (R11)
	VMOVUPD Y5, (R11)(R9*1)
	VMOVUPD Y6, (R11)(R8*1)
	VMOVUPD Y7, (R11)(R10*1)

	ADDQ $32, CX
	ADDQ $32, DX
	ADDQ $16, DI
	DECQ SI
	JNZ  first
	VZEROUPPER
	RET

// func fftRadix4Pass4(re, im *float64, blocks, half int, w1r, w1i, w3r, w3i *float64)
TEXT ·fftRadix4Pass4(SB), NOSPLIT, $0-64
	MOVQ re+0(FP), DI
	MOVQ im+8(FP), SI
	MOVQ blocks+16(FP), BX
	MOVQ half+24(FP), DX
	MOVQ w1r+32(FP), R8
	MOVQ w1i+40(FP), R9
	MOVQ w3r+48(FP), R10
	MOVQ w3i+56(FP), R11
	SHLQ $3, DX            // DX: a quarter block (half points), in bytes; w2 = w1 + DX
	LEAQ (DX)(DX*1), CX
	LEAQ (CX)(DX*1), R13

block4:
	MOVQ DX, R12
	SHRQ $5, R12           // iterations: four butterflies each

butterfly4:
	CMUL((DI)(DX*1), (SI)(DX*1), (R8), (R9), Y4, Y5, Y6)                 // B = w1·x1
	CMUL((DI)(CX*1), (SI)(CX*1), (R8)(DX*1), (R9)(DX*1), Y6, Y7, Y8)     // C = w2·x2
	CMUL((DI)(R13*1), (SI)(R13*1), (R10), (R11), Y8, Y9, Y10)            // D = w3·x3
	// A = x0
	VMOVUPD (DI), Y0
	VMOVUPD (SI), Y1
	VADDPD Y4, Y0, Y2      // pr = ar + br
	VADDPD Y5, Y1, Y3      // pi
	VSUBPD Y4, Y0, Y10     // qr = ar - br
	VSUBPD Y5, Y1, Y11     // qi
	VADDPD Y8, Y6, Y12     // sr = cr + dr
	VADDPD Y9, Y7, Y13     // si
	VSUBPD Y8, Y6, Y14     // er = cr - dr
	VSUBPD Y9, Y7, Y15     // ei
	VADDPD Y12, Y2, Y0     // r0 = pr + sr
	VADDPD Y13, Y3, Y1     // i0 = pi + si
	VSUBPD Y12, Y2, Y4     // r2 = pr - sr
	VSUBPD Y13, Y3, Y5     // i2 = pi - si
	VADDPD Y15, Y10, Y6    // r1 = qr + ei
	VSUBPD Y14, Y11, Y7    // i1 = qi - er
	VSUBPD Y15, Y10, Y8    // r3 = qr - ei
	VADDPD Y14, Y11, Y9    // i3 = qi + er
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (SI)
	VMOVUPD Y6, (DI)(DX*1)
	VMOVUPD Y7, (SI)(DX*1)
	VMOVUPD Y4, (DI)(CX*1)
	VMOVUPD Y5, (SI)(CX*1)
	VMOVUPD Y8, (DI)(R13*1)
	VMOVUPD Y9, (SI)(R13*1)

	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	DECQ R12
	JNZ  butterfly4

	// The data pointers have crossed the first quarter of the block; the
	// twiddles start again.
	ADDQ R13, DI
	ADDQ R13, SI
	SUBQ DX, R8
	SUBQ DX, R9
	SUBQ DX, R10
	SUBQ DX, R11
	DECQ BX
	JNZ  block4
	VZEROUPPER
	RET

// func fftRadix2Pass4(re, im *float64, blocks, half int, wr, wi *float64)
TEXT ·fftRadix2Pass4(SB), NOSPLIT, $0-48
	MOVQ re+0(FP), DI
	MOVQ im+8(FP), SI
	MOVQ blocks+16(FP), BX
	MOVQ half+24(FP), DX
	MOVQ wr+32(FP), R8
	MOVQ wi+40(FP), R9
	SHLQ $3, DX            // DX: half a block, in bytes

block2:
	MOVQ DX, R12
	SHRQ $5, R12

butterfly2:
	CMUL((DI)(DX*1), (SI)(DX*1), (R8), (R9), Y4, Y5, Y6) // t = w·b
	VMOVUPD (DI), Y0
	VMOVUPD (SI), Y1
	VSUBPD Y4, Y0, Y6
	VSUBPD Y5, Y1, Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (SI)
	VMOVUPD Y6, (DI)(DX*1)
	VMOVUPD Y7, (SI)(DX*1)

	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ R12
	JNZ  butterfly2

	ADDQ DX, DI
	ADDQ DX, SI
	SUBQ DX, R8
	SUBQ DX, R9
	DECQ BX
	JNZ  block2
	VZEROUPPER
	RET

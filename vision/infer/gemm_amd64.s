//go:build amd64 && !purego

#include "textflag.h"

// WEIGHTS3X3 broadcasts the nine weights of a 3×3 window at R8 into Y3–Y11,
// row by row.
#define WEIGHTS3X3 \
	VBROADCASTSS (R8), Y3; \
	VBROADCASTSS 4(R8), Y4; \
	VBROADCASTSS 8(R8), Y5; \
	VBROADCASTSS 12(R8), Y6; \
	VBROADCASTSS 16(R8), Y7; \
	VBROADCASTSS 20(R8), Y8; \
	VBROADCASTSS 24(R8), Y9; \
	VBROADCASTSS 28(R8), Y10; \
	VBROADCASTSS 32(R8), Y11

// func micro6x16(np, k int, a *float32, astep int, b *float32, ldb int, c *float32, ldc int, add *float32, flags int, bias, slope *float32, lo, hi float32)
//
// np tiles stacked down C, one after another: tile p is C[6p:6p+6][0:16]
// (row stride ldc floats) = Σ_k a_p[k][0:6] ⊗ b[k][0:16], where A panel p
// (packed as in gemm.go) starts astep floats after panel p−1 and b's rows
// are ldb floats apart: twelve YMM accumulators, two B loads and six
// broadcasts for twelve FMAs a step. Looping over the panels here rather
// than calling once per tile saves the call and its checks, which cost
// about as much as 20 steps. Each step also prefetches the B row of the
// next column panel (64 bytes on), which the next call reads first.
// flags bit 0 adds the rows at add (row stride ldc too; it may be c
// itself) to the product; bit 1 then applies the epilogue: row r becomes v = x + bias[r], v·slope[r]
// where v is negative, clamped to [lo, hi] (bias and slope hold 6·np values).
// np and k must be at least 1.
TEXT ·micro6x16(SB), NOSPLIT, $0-104
	MOVQ np+0(FP), R13
	MOVQ a+16(FP), R14
	MOVQ astep+24(FP), R15
	SHLQ $2, R15
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ add+64(FP), R9
	MOVQ flags+72(FP), AX
	MOVQ bias+80(FP), R10
	MOVQ slope+88(FP), R11

panel6:
	MOVQ k+8(FP), CX
	MOVQ R14, SI
	MOVQ BX, DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

loop6:
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	PREFETCHT0 64(DI)
	VBROADCASTSS 0(SI), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS 4(SI), Y15
	VFMADD231PS  Y12, Y15, Y2
	VFMADD231PS  Y13, Y15, Y3
	VBROADCASTSS 8(SI), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS 12(SI), Y15
	VFMADD231PS  Y12, Y15, Y6
	VFMADD231PS  Y13, Y15, Y7
	VBROADCASTSS 16(SI), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS 20(SI), Y15
	VFMADD231PS  Y12, Y15, Y10
	VFMADD231PS  Y13, Y15, Y11
	ADDQ $24, SI
	ADDQ R12, DI
	DECQ CX
	JNZ  loop6

	TESTQ $1, AX
	JE    epi6
	MOVQ  R9, SI
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	ADDQ R8, SI
	VADDPS (SI), Y2, Y2
	VADDPS 32(SI), Y3, Y3
	ADDQ R8, SI
	VADDPS (SI), Y4, Y4
	VADDPS 32(SI), Y5, Y5
	ADDQ R8, SI
	VADDPS (SI), Y6, Y6
	VADDPS 32(SI), Y7, Y7
	ADDQ R8, SI
	VADDPS (SI), Y8, Y8
	VADDPS 32(SI), Y9, Y9
	ADDQ R8, SI
	VADDPS (SI), Y10, Y10
	VADDPS 32(SI), Y11, Y11
	ADDQ R8, SI
	MOVQ SI, R9 // the next panel's rows

epi6:
	TESTQ $2, AX
	JE    store6
	VBROADCASTSS 0(R10), Y12
	VBROADCASTSS 0(R11), Y13
	VADDPS       Y12, Y0, Y0
	VADDPS       Y12, Y1, Y1
	VMULPS       Y0, Y13, Y14
	VMULPS       Y1, Y13, Y15
	VBLENDVPS    Y0, Y14, Y0, Y0
	VBLENDVPS    Y1, Y15, Y1, Y1
	VBROADCASTSS 4(R10), Y12
	VBROADCASTSS 4(R11), Y13
	VADDPS       Y12, Y2, Y2
	VADDPS       Y12, Y3, Y3
	VMULPS       Y2, Y13, Y14
	VMULPS       Y3, Y13, Y15
	VBLENDVPS    Y2, Y14, Y2, Y2
	VBLENDVPS    Y3, Y15, Y3, Y3
	VBROADCASTSS 8(R10), Y12
	VBROADCASTSS 8(R11), Y13
	VADDPS       Y12, Y4, Y4
	VADDPS       Y12, Y5, Y5
	VMULPS       Y4, Y13, Y14
	VMULPS       Y5, Y13, Y15
	VBLENDVPS    Y4, Y14, Y4, Y4
	VBLENDVPS    Y5, Y15, Y5, Y5
	VBROADCASTSS 12(R10), Y12
	VBROADCASTSS 12(R11), Y13
	VADDPS       Y12, Y6, Y6
	VADDPS       Y12, Y7, Y7
	VMULPS       Y6, Y13, Y14
	VMULPS       Y7, Y13, Y15
	VBLENDVPS    Y6, Y14, Y6, Y6
	VBLENDVPS    Y7, Y15, Y7, Y7
	VBROADCASTSS 16(R10), Y12
	VBROADCASTSS 16(R11), Y13
	VADDPS       Y12, Y8, Y8
	VADDPS       Y12, Y9, Y9
	VMULPS       Y8, Y13, Y14
	VMULPS       Y9, Y13, Y15
	VBLENDVPS    Y8, Y14, Y8, Y8
	VBLENDVPS    Y9, Y15, Y9, Y9
	VBROADCASTSS 20(R10), Y12
	VBROADCASTSS 20(R11), Y13
	VADDPS       Y12, Y10, Y10
	VADDPS       Y12, Y11, Y11
	VMULPS       Y10, Y13, Y14
	VMULPS       Y11, Y13, Y15
	VBLENDVPS    Y10, Y14, Y10, Y10
	VBLENDVPS    Y11, Y15, Y11, Y11
	ADDQ         $24, R10
	ADDQ         $24, R11
	VBROADCASTSS lo+96(FP), Y12
	VBROADCASTSS hi+100(FP), Y13
	VMAXPS Y12, Y0, Y0
	VMINPS Y13, Y0, Y0
	VMAXPS Y12, Y1, Y1
	VMINPS Y13, Y1, Y1
	VMAXPS Y12, Y2, Y2
	VMINPS Y13, Y2, Y2
	VMAXPS Y12, Y3, Y3
	VMINPS Y13, Y3, Y3
	VMAXPS Y12, Y4, Y4
	VMINPS Y13, Y4, Y4
	VMAXPS Y12, Y5, Y5
	VMINPS Y13, Y5, Y5
	VMAXPS Y12, Y6, Y6
	VMINPS Y13, Y6, Y6
	VMAXPS Y12, Y7, Y7
	VMINPS Y13, Y7, Y7
	VMAXPS Y12, Y8, Y8
	VMINPS Y13, Y8, Y8
	VMAXPS Y12, Y9, Y9
	VMINPS Y13, Y9, Y9
	VMAXPS Y12, Y10, Y10
	VMINPS Y13, Y10, Y10
	VMAXPS Y12, Y11, Y11
	VMINPS Y13, Y11, Y11

store6:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	ADDQ    R8, DX // the next panel's first row
	ADDQ    R15, R14
	DECQ    R13
	JNZ     panel6
	VZEROUPPER
	RET


// func dwrow8(dst, src, w *float32, n8, kw int)
//
// For n8 blocks of 8 outputs: dst[x] += Σ_{j<kw} w[j]·src[x+j].
TEXT ·dwrow8(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ w+16(FP), R8
	MOVQ n8+24(FP), CX
	MOVQ kw+32(FP), R9

block:
	TESTQ CX, CX
	JE    fin
	VMOVUPS (DI), Y0
	VXORPS  Y1, Y1, Y1
	XORQ    AX, AX

tap:
	VBROADCASTSS (R8)(AX*4), Y2
	VFMADD231PS  (SI)(AX*4), Y2, Y0
	INCQ         AX
	CMPQ         AX, R9
	JB           tap
	VMOVUPS      Y0, (DI)
	ADDQ         $32, DI
	ADDQ         $32, SI
	DECQ         CX
	JMP          block

fin:
	VZEROUPPER
	RET

// func biasAct8(x *float32, n8 int, bias, slope, lo, hi float32)
//
// For n8 blocks of 8: v = x + bias; v = v·slope where v's sign bit is set
// (PRelu; slope 1 leaves v as it is); x = min(max(v, lo), hi). The blend
// replaces the Go loop's v < 0 branch, which mispredicts on about half the
// values. n8 must be at least 1.
TEXT ·biasAct8(SB), NOSPLIT, $0-32
	VBROADCASTSS bias+16(FP), Y1
	VBROADCASTSS slope+20(FP), Y4
	VBROADCASTSS lo+24(FP), Y2
	VBROADCASTSS hi+28(FP), Y3
	MOVQ         x+0(FP), DI
	MOVQ         n8+8(FP), CX

act:
	VADDPS    (DI), Y1, Y0
	VMULPS    Y0, Y4, Y5
	VBLENDVPS Y0, Y5, Y0, Y0
	VMAXPS    Y2, Y0, Y0
	VMINPS    Y3, Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $32, DI
	DECQ      CX
	JNZ       act
	VZEROUPPER
	RET

// func dwtaps8(dst, src, w *float32, n8, kh, kw, stride int)
//
// For n8 blocks of 8 outputs x:
//   dst[x] += Σ_{ky<kh, kx<kw} w[ky*kw+kx] · src[ky*stride + x + kx]
// keeping the 8 sums in a register across all taps.
TEXT ·dwtaps8(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n8+24(FP), CX
	MOVQ kh+32(FP), R10
	MOVQ kw+40(FP), R11
	MOVQ stride+48(FP), R12
	SHLQ $2, R12

tblock:
	TESTQ   CX, CX
	JE      tdone
	VMOVUPS (DI), Y0
	MOVQ    w+16(FP), R8 // next weight
	MOVQ    SI, R9       // row start
	MOVQ    R10, BX      // rows left

trow:
	XORQ AX, AX

ttap:
	VBROADCASTSS (R8), Y2
	VFMADD231PS  (R9)(AX*4), Y2, Y0
	ADDQ         $4, R8
	INCQ         AX
	CMPQ         AX, R11
	JB           ttap
	ADDQ         R12, R9
	DECQ         BX
	JNZ          trow
	VMOVUPS      Y0, (DI)
	ADDQ         $32, DI
	ADDQ         $32, SI
	DECQ         CX
	JMP          tblock

tdone:
	VZEROUPPER
	RET

// func dw3x3s1(dst, src, w *float32, n8, stride int)
//
// dwtaps8 for a 3×3 window, weights held in registers, 8 outputs a step.
TEXT ·dw3x3s1(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         w+16(FP), R8
	MOVQ         n8+24(FP), CX
	MOVQ         stride+32(FP), R12
	SHLQ         $2, R12
	WEIGHTS3X3
	LEAQ         (SI)(R12*1), R9
	LEAQ         (R9)(R12*1), R10

b3:
	TESTQ       CX, CX
	JE          d3
	VMOVUPS     (DI), Y0
	VFMADD231PS (SI), Y3, Y0
	VFMADD231PS 4(SI), Y4, Y0
	VFMADD231PS 8(SI), Y5, Y0
	VMULPS      (R9), Y6, Y1
	VFMADD231PS 4(R9), Y7, Y1
	VFMADD231PS 8(R9), Y8, Y1
	VFMADD231PS (R10), Y9, Y0
	VFMADD231PS 4(R10), Y10, Y1
	VFMADD231PS 8(R10), Y11, Y0
	VADDPS      Y1, Y0, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, DI
	ADDQ        $32, SI
	ADDQ        $32, R9
	ADDQ        $32, R10
	DECQ        CX
	JMP         b3

d3:
	VZEROUPPER
	RET

// func micro8x32(k int, a, b *float32, ldb int, c *float32, ldc int, add *float32, flags int, bias, slope *float32, lo, hi float32)
//
// The AVX-512 tile: C[8][32] (row stride ldc floats) = Σ_k a[k][0:8] ⊗
// b[k][0:32]; sixteen ZMM accumulators, two B loads and eight broadcasts
// per step. flags and the epilogue as in micro6x16 (bias and slope hold 8
// values). k must be at least 1.
TEXT ·micro8x32(SB), NOSPLIT, $0-88
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R12
	SHLQ $2, R12
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15

loop512:
	VMOVUPS (DI), Z16
	VMOVUPS 64(DI), Z17
	VBROADCASTSS 0(SI), Z18
	VFMADD231PS  Z16, Z18, Z0
	VFMADD231PS  Z17, Z18, Z1
	VBROADCASTSS 4(SI), Z19
	VFMADD231PS  Z16, Z19, Z2
	VFMADD231PS  Z17, Z19, Z3
	VBROADCASTSS 8(SI), Z20
	VFMADD231PS  Z16, Z20, Z4
	VFMADD231PS  Z17, Z20, Z5
	VBROADCASTSS 12(SI), Z21
	VFMADD231PS  Z16, Z21, Z6
	VFMADD231PS  Z17, Z21, Z7
	VBROADCASTSS 16(SI), Z22
	VFMADD231PS  Z16, Z22, Z8
	VFMADD231PS  Z17, Z22, Z9
	VBROADCASTSS 20(SI), Z23
	VFMADD231PS  Z16, Z23, Z10
	VFMADD231PS  Z17, Z23, Z11
	VBROADCASTSS 24(SI), Z24
	VFMADD231PS  Z16, Z24, Z12
	VFMADD231PS  Z17, Z24, Z13
	VBROADCASTSS 28(SI), Z25
	VFMADD231PS  Z16, Z25, Z14
	VFMADD231PS  Z17, Z25, Z15
	ADDQ $32, SI
	ADDQ R12, DI
	DECQ CX
	JNZ  loop512

	MOVQ  flags+56(FP), AX
	TESTQ $1, AX
	JE    epi512
	MOVQ  add+48(FP), R9
	VADDPS (R9), Z0, Z0
	VADDPS 64(R9), Z1, Z1
	ADDQ R8, R9
	VADDPS (R9), Z2, Z2
	VADDPS 64(R9), Z3, Z3
	ADDQ R8, R9
	VADDPS (R9), Z4, Z4
	VADDPS 64(R9), Z5, Z5
	ADDQ R8, R9
	VADDPS (R9), Z6, Z6
	VADDPS 64(R9), Z7, Z7
	ADDQ R8, R9
	VADDPS (R9), Z8, Z8
	VADDPS 64(R9), Z9, Z9
	ADDQ R8, R9
	VADDPS (R9), Z10, Z10
	VADDPS 64(R9), Z11, Z11
	ADDQ R8, R9
	VADDPS (R9), Z12, Z12
	VADDPS 64(R9), Z13, Z13
	ADDQ R8, R9
	VADDPS (R9), Z14, Z14
	VADDPS 64(R9), Z15, Z15

epi512:
	TESTQ $2, AX
	JE    store512
	MOVQ  bias+64(FP), R10
	MOVQ  slope+72(FP), R11
	VPXORD Z28, Z28, Z28
	VBROADCASTSS 0(R10), Z16
	VBROADCASTSS 0(R11), Z17
	VADDPS       Z16, Z0, Z0
	VADDPS       Z16, Z1, Z1
	VCMPPS       $1, Z28, Z0, K1
	VCMPPS       $1, Z28, Z1, K2
	VMULPS       Z17, Z0, K1, Z0
	VMULPS       Z17, Z1, K2, Z1
	VBROADCASTSS 4(R10), Z16
	VBROADCASTSS 4(R11), Z17
	VADDPS       Z16, Z2, Z2
	VADDPS       Z16, Z3, Z3
	VCMPPS       $1, Z28, Z2, K1
	VCMPPS       $1, Z28, Z3, K2
	VMULPS       Z17, Z2, K1, Z2
	VMULPS       Z17, Z3, K2, Z3
	VBROADCASTSS 8(R10), Z16
	VBROADCASTSS 8(R11), Z17
	VADDPS       Z16, Z4, Z4
	VADDPS       Z16, Z5, Z5
	VCMPPS       $1, Z28, Z4, K1
	VCMPPS       $1, Z28, Z5, K2
	VMULPS       Z17, Z4, K1, Z4
	VMULPS       Z17, Z5, K2, Z5
	VBROADCASTSS 12(R10), Z16
	VBROADCASTSS 12(R11), Z17
	VADDPS       Z16, Z6, Z6
	VADDPS       Z16, Z7, Z7
	VCMPPS       $1, Z28, Z6, K1
	VCMPPS       $1, Z28, Z7, K2
	VMULPS       Z17, Z6, K1, Z6
	VMULPS       Z17, Z7, K2, Z7
	VBROADCASTSS 16(R10), Z16
	VBROADCASTSS 16(R11), Z17
	VADDPS       Z16, Z8, Z8
	VADDPS       Z16, Z9, Z9
	VCMPPS       $1, Z28, Z8, K1
	VCMPPS       $1, Z28, Z9, K2
	VMULPS       Z17, Z8, K1, Z8
	VMULPS       Z17, Z9, K2, Z9
	VBROADCASTSS 20(R10), Z16
	VBROADCASTSS 20(R11), Z17
	VADDPS       Z16, Z10, Z10
	VADDPS       Z16, Z11, Z11
	VCMPPS       $1, Z28, Z10, K1
	VCMPPS       $1, Z28, Z11, K2
	VMULPS       Z17, Z10, K1, Z10
	VMULPS       Z17, Z11, K2, Z11
	VBROADCASTSS 24(R10), Z16
	VBROADCASTSS 24(R11), Z17
	VADDPS       Z16, Z12, Z12
	VADDPS       Z16, Z13, Z13
	VCMPPS       $1, Z28, Z12, K1
	VCMPPS       $1, Z28, Z13, K2
	VMULPS       Z17, Z12, K1, Z12
	VMULPS       Z17, Z13, K2, Z13
	VBROADCASTSS 28(R10), Z16
	VBROADCASTSS 28(R11), Z17
	VADDPS       Z16, Z14, Z14
	VADDPS       Z16, Z15, Z15
	VCMPPS       $1, Z28, Z14, K1
	VCMPPS       $1, Z28, Z15, K2
	VMULPS       Z17, Z14, K1, Z14
	VMULPS       Z17, Z15, K2, Z15
	VBROADCASTSS lo+80(FP), Z16
	VBROADCASTSS hi+84(FP), Z17
	VMAXPS Z16, Z0, Z0
	VMINPS Z17, Z0, Z0
	VMAXPS Z16, Z1, Z1
	VMINPS Z17, Z1, Z1
	VMAXPS Z16, Z2, Z2
	VMINPS Z17, Z2, Z2
	VMAXPS Z16, Z3, Z3
	VMINPS Z17, Z3, Z3
	VMAXPS Z16, Z4, Z4
	VMINPS Z17, Z4, Z4
	VMAXPS Z16, Z5, Z5
	VMINPS Z17, Z5, Z5
	VMAXPS Z16, Z6, Z6
	VMINPS Z17, Z6, Z6
	VMAXPS Z16, Z7, Z7
	VMINPS Z17, Z7, Z7
	VMAXPS Z16, Z8, Z8
	VMINPS Z17, Z8, Z8
	VMAXPS Z16, Z9, Z9
	VMINPS Z17, Z9, Z9
	VMAXPS Z16, Z10, Z10
	VMINPS Z17, Z10, Z10
	VMAXPS Z16, Z11, Z11
	VMINPS Z17, Z11, Z11
	VMAXPS Z16, Z12, Z12
	VMINPS Z17, Z12, Z12
	VMAXPS Z16, Z13, Z13
	VMINPS Z17, Z13, Z13
	VMAXPS Z16, Z14, Z14
	VMINPS Z17, Z14, Z14
	VMAXPS Z16, Z15, Z15
	VMINPS Z17, Z15, Z15

store512:
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z8, (DX)
	VMOVUPS Z9, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z10, (DX)
	VMOVUPS Z11, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z12, (DX)
	VMOVUPS Z13, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z14, (DX)
	VMOVUPS Z15, 64(DX)
	VZEROUPPER
	RET


// func addClip8(dst, a, b *float32, n8 int, lo, hi float32)
//
// For n8 blocks of 8: dst = min(max(a + b, lo), hi).
TEXT ·addClip8(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         n8+24(FP), CX
	VBROADCASTSS lo+32(FP), Y2
	VBROADCASTSS hi+36(FP), Y3

addloop:
	TESTQ   CX, CX
	JE      adddone
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMAXPS  Y2, Y0, Y0
	VMINPS  Y3, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JMP     addloop

adddone:
	VZEROUPPER
	RET

// func deint16(even, odd, src *float32, n16 int)
//
// Splits n16 blocks of 16 floats into their even- and odd-indexed halves.
TEXT ·deint16(SB), NOSPLIT, $0-32
	MOVQ even+0(FP), DI
	MOVQ odd+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ n16+24(FP), CX

dloop:
	TESTQ   CX, CX
	JE      ddone
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (DX)
	ADDQ    $64, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	DECQ    CX
	JMP     dloop

ddone:
	VZEROUPPER
	RET


// DW3BLOCK is 8 outputs of dw3x3p1 from byte offset AX of the rows above
// (R9), at (R10) and below (R11) the output row (DI). The taps
// are added in dw3x3s1's order on the same values, so the results are the
// same bits; then the clamp.
#define DW3BLOCK \
	VMOVAPS     Y12, Y0; \
	VFMADD231PS -4(R9)(AX*1), Y3, Y0; \
	VFMADD231PS (R9)(AX*1), Y4, Y0; \
	VFMADD231PS 4(R9)(AX*1), Y5, Y0; \
	VMULPS      -4(R10)(AX*1), Y6, Y1; \
	VFMADD231PS (R10)(AX*1), Y7, Y1; \
	VFMADD231PS 4(R10)(AX*1), Y8, Y1; \
	VFMADD231PS -4(R11)(AX*1), Y9, Y0; \
	VFMADD231PS (R11)(AX*1), Y10, Y1; \
	VFMADD231PS 4(R11)(AX*1), Y11, Y0; \
	VADDPS      Y1, Y0, Y0; \
	VMAXPS      Y13, Y0, Y0; \
	VMINPS      Y14, Y0, Y0; \
	VMOVUPS     Y0, (DI)(AX*1)

// func dw3x3p1(dst, src, zero, w *float32, width, height int, bias, lo, hi float32)
//
// A whole depthwise 3×3 plane, stride 1, one pixel of zero padding on every
// side, output the input's size, bias and clamp applied: no padded copy of
// the input and every output written once. zero is a row of width zeros
// that stands for the rows above and below the plane. The interior columns
// [1, width−1) go 8 at a time, the last block overlapping the one before;
// the two border columns are scalar and skip the taps that read padding.
// width must be at least 10.
TEXT ·dw3x3p1(SB), NOSPLIT, $0-60
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), R10
	MOVQ         zero+16(FP), R9
	MOVQ         w+24(FP), R8
	MOVQ         width+32(FP), DX
	MOVQ         height+40(FP), BX
	VBROADCASTSS bias+48(FP), Y12
	VBROADCASTSS lo+52(FP), Y13
	VBROADCASTSS hi+56(FP), Y14
	WEIGHTS3X3
	MOVQ         DX, R12
	SHLQ         $2, R12             // row bytes
	LEAQ         -9(DX), R13
	SHLQ         $2, R13             // byte offset of the last block's column
	MOVQ         R9, SI              // the zero row
	LEAQ         (R10)(R12*1), R11   // row below
	CMPQ         BX, $1
	JNE          p1row
	MOVQ         SI, R11

p1row:
	// Left border, column 0: taps (r, 1) and (r, 2) of each row.
	VMOVAPS      X12, X0
	VFMADD231SS  (R9), X4, X0
	VFMADD231SS  4(R9), X5, X0
	VMULSS       (R10), X7, X1
	VFMADD231SS  4(R10), X8, X1
	VFMADD231SS  (R11), X10, X1
	VFMADD231SS  4(R11), X11, X0
	VADDSS       X1, X0, X0
	VMAXSS       X13, X0, X0
	VMINSS       X14, X0, X0
	VMOVSS       X0, (DI)

	// Interior blocks from column 1.
	MOVQ         $4, AX
	LEAQ         32(R13), CX         // past the last block's start

p1block:
	DW3BLOCK
	ADDQ         $32, AX
	CMPQ         AX, R13
	JLE          p1block

	// The last block ends at column width−2; it may overlap the one
	// before, which recomputes the same values.
	CMPQ         AX, CX
	JGE          p1right
	MOVQ         R13, AX
	DW3BLOCK

p1right:
	// Right border, column width−1: taps (r, 0) and (r, 1).
	LEAQ         -8(R12), AX
	VMOVAPS      X12, X0
	VFMADD231SS  (R9)(AX*1), X3, X0
	VFMADD231SS  4(R9)(AX*1), X4, X0
	VMULSS       (R10)(AX*1), X6, X1
	VFMADD231SS  4(R10)(AX*1), X7, X1
	VFMADD231SS  (R11)(AX*1), X9, X0
	VFMADD231SS  4(R11)(AX*1), X10, X1
	VADDSS       X1, X0, X0
	VMAXSS       X13, X0, X0
	VMINSS       X14, X0, X0
	VMOVSS       X0, 4(DI)(AX*1)

	// Next row: this row becomes the one above.
	ADDQ         R12, DI
	MOVQ         R10, R9
	MOVQ         R11, R10
	ADDQ         R12, R11
	DECQ         BX
	JZ           p1done
	CMPQ         BX, $1
	JNE          p1row
	MOVQ         SI, R11
	JMP          p1row

p1done:
	VZEROUPPER
	RET

// S2ROW adds the three taps of one input row at R (weights in Ya, Yb, Yc)
// to Y0 and Y1: VSHUFPS splits the 16 columns at R into the even and the
// odd ones, and those at R+2 columns into the evens shifted by one, each in
// the lane order 0 1 4 5 2 3 6 7; the sums keep that order and are put
// right once at the end.
#define S2ROW(R, Ya, Yb, Yc) \
	VMOVUPS     (R), Y12; \
	VMOVUPS     32(R), Y13; \
	VSHUFPS     $0x88, Y13, Y12, Y14; \
	VSHUFPS     $0xDD, Y13, Y12, Y15; \
	VFMADD231PS Y14, Ya, Y0; \
	VFMADD231PS Y15, Yb, Y1; \
	VMOVUPS     8(R), Y12; \
	VMOVUPS     40(R), Y13; \
	VSHUFPS     $0x88, Y13, Y12, Y14; \
	VFMADD231PS Y14, Yc, Y0

// func dw3x3s2(dst, r0, r1, r2, w *float32, n8 int, bias, lo, hi float32)
//
// n8 blocks of 8 outputs of a 3×3 stride-2 depthwise row, bias and clamp
// applied: dst[x] = clamp(bias + Σ_ky Σ_kx w[ky*3+kx]·r_ky[2x+kx]). Each
// block reads 18 columns of every row; the r_ky advance by 16 columns a
// block. The rows are image rows or a zero row standing for padding. n8
// must be at least 1.
TEXT ·dw3x3s2(SB), NOSPLIT, $0-60
	MOVQ         dst+0(FP), DI
	MOVQ         r0+8(FP), SI
	MOVQ         r1+16(FP), DX
	MOVQ         r2+24(FP), R9
	MOVQ         w+32(FP), R8
	MOVQ         n8+40(FP), CX
	WEIGHTS3X3

s2block:
	VBROADCASTSS bias+48(FP), Y0
	VXORPS       Y1, Y1, Y1
	S2ROW(SI, Y3, Y4, Y5)
	S2ROW(DX, Y6, Y7, Y8)
	S2ROW(R9, Y9, Y10, Y11)
	VADDPS       Y1, Y0, Y0
	VPERMPD      $0xD8, Y0, Y0
	VBROADCASTSS lo+52(FP), Y12
	VBROADCASTSS hi+56(FP), Y13
	VMAXPS       Y12, Y0, Y0
	VMINPS       Y13, Y0, Y0
	VMOVUPS      Y0, (DI)
	ADDQ         $64, SI
	ADDQ         $64, DX
	ADDQ         $64, R9
	ADDQ         $32, DI
	DECQ         CX
	JNZ          s2block
	VZEROUPPER
	RET

// func evens8(dst, src *float32, n8 int)
//
// dst[j] = src[2j] for n8 blocks of 8 (reading 16 floats of src a block).
TEXT ·evens8(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n8+16(FP), CX

eloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VPERMPD $0xD8, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     eloop
	VZEROUPPER
	RET

// func gemvPanels(np, k int, a *float32, astep, mr int, b *float32, ldb int, out *float32, mask *int32)
//
// One column of np stacked A panels times a column of B: out[p·mr+i] =
// Σ_k a_p[k·mr+i]·b[k·ldb] for i < mr (mr ≤ 8), A panel p (packed as in
// gemm.go, mr values a step) starting astep floats after panel p−1. It is
// the GEMM for the last few columns of a matrix, where a 16-wide tile would
// spend most of its FMAs on padding: four accumulators take the steps in
// turn (one FMA a step instead of 2·mr), then add up. mask holds −1 in its
// first mr lanes and 0 after, so the loads and stores touch mr floats
// only. np and k must be at least 1.
TEXT ·gemvPanels(SB), NOSPLIT, $0-72
	MOVQ    np+0(FP), R13
	MOVQ    a+16(FP), R14
	MOVQ    astep+24(FP), R15
	SHLQ    $2, R15
	MOVQ    mr+32(FP), R10
	SHLQ    $2, R10             // bytes a step of A
	MOVQ    ldb+48(FP), R12
	SHLQ    $2, R12
	MOVQ    out+56(FP), DX
	MOVQ    mask+64(FP), AX
	VMOVDQU (AX), Y15

gvpanel:
	MOVQ   k+8(FP), CX
	MOVQ   R14, SI
	MOVQ   b+40(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ   CX, $4
	JB     gvtail

gvquad:
	VMASKMOVPS   (SI), Y15, Y4
	VBROADCASTSS (DI), Y5
	VFMADD231PS  Y4, Y5, Y0
	ADDQ         R10, SI
	ADDQ         R12, DI
	VMASKMOVPS   (SI), Y15, Y6
	VBROADCASTSS (DI), Y7
	VFMADD231PS  Y6, Y7, Y1
	ADDQ         R10, SI
	ADDQ         R12, DI
	VMASKMOVPS   (SI), Y15, Y8
	VBROADCASTSS (DI), Y9
	VFMADD231PS  Y8, Y9, Y2
	ADDQ         R10, SI
	ADDQ         R12, DI
	VMASKMOVPS   (SI), Y15, Y10
	VBROADCASTSS (DI), Y11
	VFMADD231PS  Y10, Y11, Y3
	ADDQ         R10, SI
	ADDQ         R12, DI
	SUBQ         $4, CX
	CMPQ         CX, $4
	JAE          gvquad

gvtail:
	TESTQ        CX, CX
	JE           gvsum
	VMASKMOVPS   (SI), Y15, Y4
	VBROADCASTSS (DI), Y5
	VFMADD231PS  Y4, Y5, Y0
	ADDQ         R10, SI
	ADDQ         R12, DI
	DECQ         CX
	JMP          gvtail

gvsum:
	VADDPS     Y1, Y0, Y0
	VADDPS     Y3, Y2, Y2
	VADDPS     Y2, Y0, Y0
	VMASKMOVPS Y0, Y15, (DX)
	ADDQ       R10, DX
	ADDQ       R15, R14
	DECQ       R13
	JNZ        gvpanel
	VZEROUPPER
	RET

// Lane indexes for VPERMPS: SHR moves lane i to i+1 (lane 0 takes lane 7),
// SHL moves lane i+1 to i (lane 7 keeps lane 7).
DATA narrowShr<>+0(SB)/4, $7
DATA narrowShr<>+4(SB)/4, $0
DATA narrowShr<>+8(SB)/4, $1
DATA narrowShr<>+12(SB)/4, $2
DATA narrowShr<>+16(SB)/4, $3
DATA narrowShr<>+20(SB)/4, $4
DATA narrowShr<>+24(SB)/4, $5
DATA narrowShr<>+28(SB)/4, $6
GLOBL narrowShr<>(SB), RODATA|NOPTR, $32
DATA narrowShl<>+0(SB)/4, $1
DATA narrowShl<>+4(SB)/4, $2
DATA narrowShl<>+8(SB)/4, $3
DATA narrowShl<>+12(SB)/4, $4
DATA narrowShl<>+16(SB)/4, $5
DATA narrowShl<>+20(SB)/4, $6
DATA narrowShl<>+24(SB)/4, $7
DATA narrowShl<>+28(SB)/4, $7
GLOBL narrowShl<>(SB), RODATA|NOPTR, $32

// WEIGHTS3X3_LOW broadcasts the first seven weights of a 3×3 window at R8
// into Y0 and Y2–Y7 (dw3x3narrow needs the other registers).
#define WEIGHTS3X3_LOW \
	VBROADCASTSS (R8), Y0; \
	VBROADCASTSS 4(R8), Y2; \
	VBROADCASTSS 8(R8), Y3; \
	VBROADCASTSS 12(R8), Y4; \
	VBROADCASTSS 16(R8), Y5; \
	VBROADCASTSS 20(R8), Y6; \
	VBROADCASTSS 24(R8), Y7

// NARROWROW loads the image row at R (width lanes, the rest zero) into Y13
// and leaves it shifted one column right in Y14 (taps x−1) and left in Y15
// (taps x+1); the zero lanes past the row stand for the padding.
#define NARROWROW(R) \
	VMASKMOVPS (R), Y9, Y13; \
	VPERMPS    Y13, Y10, Y14; \
	VPERMPS    Y13, Y11, Y15

// func dw3x3narrow(dst, src, w, bias *float32, mask *int32, width, height, planes int, lo, hi float32)
//
// planes consecutive depthwise 3×3 planes, stride 1, one pixel of zero
// padding, bias and clamp applied, for widths up to 7: a row is one
// register (masked loads and stores of width lanes), its x−1 and x+1 taps
// lane permutations of it, so a whole plane costs a few instructions a row
// and the call covers every plane. Plane p reads src and writes dst at
// p·width·height, weights w[9p:9p+9] and bias[p]. The sums are added in
// dw3x3s1's order, so results are the same bits. mask holds −1 in its
// first width lanes.
TEXT ·dw3x3narrow(SB), NOSPLIT, $0-72
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    w+16(FP), R8
	MOVQ    bias+24(FP), R10
	MOVQ    mask+32(FP), AX
	VMOVDQU (AX), Y9
	VMOVDQU narrowShr<>(SB), Y10
	VMOVDQU narrowShl<>(SB), Y11
	MOVQ    width+40(FP), R12
	SHLQ    $2, R12                  // row bytes
	MOVQ    planes+56(FP), R13

nplane:
	WEIGHTS3X3_LOW
	MOVQ height+48(FP), BX
	XORQ CX, CX                      // output row

nrow:
	VBROADCASTSS (R10), Y12
	// Row above, unless this is the first.
	TESTQ        CX, CX
	JE           nmid
	MOVQ         SI, R9
	SUBQ         R12, R9
	NARROWROW(R9)
	VFMADD231PS  Y14, Y0, Y12
	VFMADD231PS  Y13, Y2, Y12
	VFMADD231PS  Y15, Y3, Y12

nmid:
	NARROWROW(SI)
	VMULPS       Y14, Y4, Y1
	VFMADD231PS  Y13, Y5, Y1
	VFMADD231PS  Y15, Y6, Y1
	// Row below, unless this is the last.
	LEAQ         1(CX), AX
	CMPQ         AX, BX
	JE           nsum
	LEAQ         (SI)(R12*1), R9
	NARROWROW(R9)
	VFMADD231PS  Y14, Y7, Y12
	VBROADCASTSS 28(R8), Y14
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS 32(R8), Y14
	VFMADD231PS  Y15, Y14, Y12

nsum:
	VADDPS       Y1, Y12, Y12
	VBROADCASTSS lo+64(FP), Y14
	VMAXPS       Y14, Y12, Y12
	VBROADCASTSS hi+68(FP), Y14
	VMINPS       Y14, Y12, Y12
	VMASKMOVPS   Y12, Y9, (DI)
	ADDQ         R12, SI
	ADDQ         R12, DI
	INCQ         CX
	CMPQ         CX, BX
	JB           nrow
	ADDQ         $36, R8
	ADDQ         $4, R10
	DECQ         R13
	JNZ          nplane
	VZEROUPPER
	RET

// func dw3x3s2plane(dst, src, zero, w *float32, width, height, ow, oh, padTop, padLeft, nb, xl int, bias, lo, hi float32)
//
// A whole 3×3 stride-2 depthwise plane with begin pads padTop, padLeft ≤ 1,
// bias and clamp applied, in one call (a row at a time from Go costs as
// much as the arithmetic on PoseNet's planes). For each output row: output
// 0 when padLeft is 1 (its left tap is padding), nb blocks of 8 from x =
// padLeft, one more block at xl unless xl is negative (it may overlap the
// one before), then the outputs from the last block's end to ow, skipping
// the taps past the right edge. Rows above or below the image read zero,
// a row of width zeros. A block at x reads columns [2x − padLeft,
// 2x − padLeft + 18), which must lie inside the row. The blocks are
// dw3x3s2's and the edge outputs are rounded as dw3x3s2At's (products,
// then sums, no FMA), so a plane has the bits of the row-at-a-time path.
TEXT ·dw3x3s2plane(SB), NOSPLIT, $0-108

// S2ROWPTR sets R to image row iy of the plane at src, or to the zero row
// where iy lies in the padding (iy < 0 reads as a large unsigned number).
// It uses AX.
#define S2ROWPTR(iy, R) \
	MOVQ    width+32(FP), AX; \
	IMULQ   iy, AX; \
	SHLQ    $2, AX; \
	ADDQ    src+8(FP), AX; \
	MOVQ    zero+16(FP), R; \
	CMPQ    iy, height+40(FP); \
	CMOVQCS AX, R

// S2BLOCK computes 8 outputs of a stride-2 row into BX from the input row
// pointers R10, R11 and R15, as dw3x3s2's loop does.
#define S2BLOCK \
	VBROADCASTSS bias+96(FP), Y0; \
	VXORPS       Y1, Y1, Y1; \
	S2ROW(R10, Y3, Y4, Y5); \
	S2ROW(R11, Y6, Y7, Y8); \
	S2ROW(R15, Y9, Y10, Y11); \
	VADDPS       Y1, Y0, Y0; \
	VPERMPD      $0xD8, Y0, Y0; \
	VBROADCASTSS lo+100(FP), Y12; \
	VBROADCASTSS hi+104(FP), Y13; \
	VMAXPS       Y12, Y0, Y0; \
	VMINPS       Y13, Y0, Y0; \
	VMOVUPS      Y0, (BX)

	MOVQ         w+24(FP), R8
	WEIGHTS3X3
	MOVQ         dst+0(FP), DI
	XORQ         R13, R13              // output row

s2prow:
	// The three input rows 2·oy − padTop + ky.
	LEAQ         (R13)(R13*1), R14
	SUBQ         padTop+64(FP), R14
	S2ROWPTR(R14, SI)
	INCQ         R14
	S2ROWPTR(R14, DX)
	INCQ         R14
	S2ROWPTR(R14, R9)

	// Output 0 with the left padding: taps (ky, 1) and (ky, 2).
	CMPQ         padLeft+72(FP), $0
	JE           s2pblocks
	// Rounded as dw3x3s2At: per tap column, the three products added in
	// order, then added to the sum (same bits as the row-at-a-time path).
	VMOVSS       bias+96(FP), X0
	VMULSS       (SI), X4, X1
	VMULSS       (DX), X7, X2
	VADDSS       X2, X1, X1
	VMULSS       (R9), X10, X2
	VADDSS       X2, X1, X1
	VADDSS       X1, X0, X0
	VMULSS       4(SI), X5, X1
	VMULSS       4(DX), X8, X2
	VADDSS       X2, X1, X1
	VMULSS       4(R9), X11, X2
	VADDSS       X2, X1, X1
	VADDSS       X1, X0, X0
	VMOVSS       lo+100(FP), X12
	VMAXSS       X12, X0, X0
	VMOVSS       hi+104(FP), X12
	VMINSS       X12, X0, X0
	VMOVSS       X0, (DI)

s2pblocks:
	// Blocks from x = padLeft, which read from column 2x − padLeft = padLeft.
	MOVQ         padLeft+72(FP), AX
	LEAQ         (DI)(AX*4), BX
	LEAQ         (SI)(AX*4), R10
	LEAQ         (DX)(AX*4), R11
	LEAQ         (R9)(AX*4), R15
	MOVQ         nb+80(FP), CX

s2pblock:
	S2BLOCK
	ADDQ         $32, BX
	ADDQ         $64, R10
	ADDQ         $64, R11
	ADDQ         $64, R15
	DECQ         CX
	JNZ          s2pblock

	// The last block at xl, reading from column 2·xl − padLeft.
	MOVQ         xl+88(FP), AX
	TESTQ        AX, AX
	JL           s2pright
	LEAQ         (DI)(AX*4), BX
	SHLQ         $1, AX
	SUBQ         padLeft+72(FP), AX
	LEAQ         (SI)(AX*4), R10
	LEAQ         (DX)(AX*4), R11
	LEAQ         (R9)(AX*4), R15
	S2BLOCK

s2pright:
	// CX = the first output after the blocks.
	MOVQ         xl+88(FP), CX
	TESTQ        CX, CX
	JGE          s2pafterxl
	MOVQ         nb+80(FP), CX
	SHLQ         $3, CX
	ADDQ         padLeft+72(FP), CX
	JMP          s2pedge

s2pafterxl:
	ADDQ         $8, CX

s2pedge:
	CMPQ         CX, ow+48(FP)
	JGE          s2pnext
	VMOVSS       bias+96(FP), X0
	LEAQ         (CX)(CX*1), R10
	SUBQ         padLeft+72(FP), R10   // column of tap 0
	XORQ         BX, BX                // kx

s2ptap:
	CMPQ         R10, width+32(FP)
	JGE          s2pclamp
	VMOVSS       (R8)(BX*4), X1
	VMULSS       (SI)(R10*4), X1, X1
	VMOVSS       12(R8)(BX*4), X2
	VMULSS       (DX)(R10*4), X2, X2
	VADDSS       X2, X1, X1
	VMOVSS       24(R8)(BX*4), X2
	VMULSS       (R9)(R10*4), X2, X2
	VADDSS       X2, X1, X1
	VADDSS       X1, X0, X0
	INCQ         R10
	INCQ         BX
	CMPQ         BX, $3
	JB           s2ptap

s2pclamp:
	VMOVSS       lo+100(FP), X12
	VMAXSS       X12, X0, X0
	VMOVSS       hi+104(FP), X12
	VMINSS       X12, X0, X0
	VMOVSS       X0, (DI)(CX*4)
	INCQ         CX
	JMP          s2pedge

s2pnext:
	MOVQ         ow+48(FP), AX
	LEAQ         (DI)(AX*4), DI
	INCQ         R13
	CMPQ         R13, oh+56(FP)
	JB           s2prow
	VZEROUPPER
	RET

// func max2x2(dst, r0, r1 *float32, n8 int)
//
// One output row of a 2×2 stride-2 max pool: dst[j] = the largest of
// r0[2j], r0[2j+1], r1[2j], r1[2j+1] for n8 blocks of 8 outputs (16 floats
// of each row a block). The two rows are maxed first, then the even and
// odd columns (split as in deint16). n8 must be at least 1.
TEXT ·max2x2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), DX
	MOVQ n8+24(FP), CX

mloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMAXPS  (DX), Y0, Y0
	VMAXPS  32(DX), Y1, Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VMAXPS  Y3, Y2, Y2
	VPERMPD $0xD8, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     mloop
	VZEROUPPER
	RET

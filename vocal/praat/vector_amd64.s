//go:build amd64 && !purego

#include "textflag.h"

// The reductions below keep sixteen partial sums (four vectors) so that
// the additions do not wait on each other, fold them, and finish the last
// n mod 16 elements one at a time.

// REDUCE folds Y0..Y3 into the low element of X0.
#define REDUCE \
	VADDPD Y1, Y0, Y0; \
	VADDPD Y3, Y2, Y2; \
	VADDPD Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPD X1, X0, X0; \
	VHADDPD X0, X0, X0

// func dotAVX2(x, y *float64, n int) float64
TEXT ·dotAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	CMPQ CX, $16
	JLT  dotfold

dot16:
	VMOVUPD (SI), Y4
	VMOVUPD 32(SI), Y5
	VMOVUPD 64(SI), Y6
	VMOVUPD 96(SI), Y7
	VFMADD231PD (DI), Y4, Y0
	VFMADD231PD 32(DI), Y5, Y1
	VFMADD231PD 64(DI), Y6, Y2
	VFMADD231PD 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE  dot16

dotfold:
	REDUCE
	TESTQ CX, CX
	JZ    dotdone

dot1:
	VMOVSD (SI), X4
	VFMADD231SD (DI), X4, X0
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  dot1

dotdone:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func sumAVX2(x *float64, n int) float64
TEXT ·sumAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	CMPQ CX, $16
	JLT  sumfold

sum16:
	VADDPD (SI), Y0, Y0
	VADDPD 32(SI), Y1, Y1
	VADDPD 64(SI), Y2, Y2
	VADDPD 96(SI), Y3, Y3
	ADDQ $128, SI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE  sum16

sumfold:
	REDUCE
	TESTQ CX, CX
	JZ    sumdone

sum1:
	VADDSD (SI), X0, X0
	ADDQ $8, SI
	DECQ CX
	JNZ  sum1

sumdone:
	VZEROUPPER
	MOVSD X0, ret+16(FP)
	RET

// func weightedSquaresAVX2(x, w *float64, n int, mean float64) float64
TEXT ·weightedSquaresAVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSD mean+24(FP), Y8
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	CMPQ CX, $16
	JLT  wsqfold

wsq16:
	VMOVUPD (SI), Y4
	VMOVUPD 32(SI), Y5
	VMOVUPD 64(SI), Y6
	VMOVUPD 96(SI), Y7
	VSUBPD Y8, Y4, Y4
	VSUBPD Y8, Y5, Y5
	VSUBPD Y8, Y6, Y6
	VSUBPD Y8, Y7, Y7
	VMULPD Y4, Y4, Y4
	VMULPD Y5, Y5, Y5
	VMULPD Y6, Y6, Y6
	VMULPD Y7, Y7, Y7
	VFMADD231PD (DI), Y4, Y0
	VFMADD231PD 32(DI), Y5, Y1
	VFMADD231PD 64(DI), Y6, Y2
	VFMADD231PD 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE  wsq16

wsqfold:
	REDUCE
	TESTQ CX, CX
	JZ    wsqdone

wsq1:
	VMOVSD (SI), X4
	VSUBSD X8, X4, X4
	VMULSD X4, X4, X4
	VFMADD231SD (DI), X4, X0
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JNZ  wsq1

wsqdone:
	VZEROUPPER
	MOVSD X0, ret+32(FP)
	RET

DATA absMask<>+0(SB)/8, $0x7fffffffffffffff
GLOBL absMask<>(SB), RODATA|NOPTR, $8

// func applyWindowAVX2(dst, src, w *float64, n int, mean float64) float64
TEXT ·applyWindowAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD mean+32(FP), Y8
	VBROADCASTSD absMask<>(SB), Y9
	VXORPD Y0, Y0, Y0      // peaks
	VXORPD Y1, Y1, Y1
	CMPQ CX, $8
	JLT  winfold

win8:
	VMOVUPD (SI), Y2
	VMOVUPD 32(SI), Y3
	VSUBPD Y8, Y2, Y2
	VSUBPD Y8, Y3, Y3
	VMULPD (DX), Y2, Y2
	VMULPD 32(DX), Y3, Y3
	VMOVUPD Y2, (DI)
	VMOVUPD Y3, 32(DI)
	VANDPD Y9, Y2, Y2
	VANDPD Y9, Y3, Y3
	VMAXPD Y2, Y0, Y0
	VMAXPD Y3, Y1, Y1
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  win8

winfold:
	VMAXPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VMAXSD X1, X0, X0
	TESTQ CX, CX
	JZ    windone

win1:
	VMOVSD (SI), X2
	VSUBSD X8, X2, X2
	VMULSD (DX), X2, X2
	VMOVSD X2, (DI)
	VANDPD X9, X2, X2
	VMAXSD X2, X0, X0
	ADDQ $8, DI
	ADDQ $8, SI
	ADDQ $8, DX
	DECQ CX
	JNZ  win1

windone:
	VZEROUPPER
	MOVSD X0, ret+40(FP)
	RET

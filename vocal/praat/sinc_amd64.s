//go:build amd64 && !purego

#include "textflag.h"

DATA one<>+0(SB)/8, $0x3ff0000000000000
GLOBL one<>(SB), RODATA|NOPTR, $8

// func sincSide8(v *float64, offB, stride, groups int, c8, s8, pi4, pi8 float64, st *sincLanes) float64
TEXT ·sincSide8(SB), NOSPLIT, $0-80
	MOVQ v+0(FP), SI
	MOVQ offB+8(FP), DX
	MOVQ stride+16(FP), BX
	MOVQ groups+24(FP), CX
	MOVQ st+64(FP), AX
	VBROADCASTSD c8+32(FP), Y7
	VBROADCASTSD s8+40(FP), Y8
	VBROADCASTSD pi4+48(FP), Y10
	VBROADCASTSD pi8+56(FP), Y11
	VBROADCASTSD one<>(SB), Y12
	VMOVUPD 0(AX), Y0      // uA
	VMOVUPD 32(AX), Y1     // cA
	VMOVUPD 64(AX), Y2     // sA
	VMOVUPD 96(AX), Y3     // cB
	VMOVUPD 128(AX), Y4    // sB
	VMOVUPD 160(AX), Y9    // h
	VXORPD Y5, Y5, Y5      // sum A
	VXORPD Y6, Y6, Y6      // sum B

sinc8:
	// One division serves both vectors, as in sincTerms:
	// r = h/(uA·uB), 1/uA = uB·r, 1/uB = uA·r.
	VADDPD Y10, Y0, Y13    // uB
	VMULPD Y13, Y0, Y14
	VDIVPD Y14, Y9, Y14    // r
	VMULPD Y14, Y13, Y13   // uB·r
	VADDPD Y12, Y1, Y15    // 1 + cA
	VMULPD Y15, Y13, Y13
	VMULPD (SI), Y13, Y13
	VADDPD Y13, Y5, Y5
	VMULPD Y14, Y0, Y14    // uA·r
	VADDPD Y12, Y3, Y15    // 1 + cB
	VMULPD Y15, Y14, Y14
	VMULPD (SI)(DX*1), Y14, Y14
	VADDPD Y14, Y6, Y6
	// Rotate both tapers by eight terms.
	VMULPD Y7, Y1, Y13
	VMULPD Y8, Y2, Y14
	VMULPD Y8, Y1, Y15
	VMULPD Y7, Y2, Y2
	VADDPD Y2, Y15, Y2     // sA = cA·s8 + sA·c8
	VSUBPD Y14, Y13, Y1    // cA = cA·c8 − sA·s8
	VMULPD Y7, Y3, Y13
	VMULPD Y8, Y4, Y14
	VMULPD Y8, Y3, Y15
	VMULPD Y7, Y4, Y4
	VADDPD Y4, Y15, Y4
	VSUBPD Y14, Y13, Y3
	VADDPD Y11, Y0, Y0
	ADDQ BX, SI
	DECQ CX
	JNZ  sinc8

	VMOVUPD Y0, 0(AX)
	VMOVUPD Y1, 32(AX)
	VMOVUPD Y2, 64(AX)
	VMOVUPD Y3, 96(AX)
	VMOVUPD Y4, 128(AX)
	VADDPD Y6, Y5, Y5
	VEXTRACTF128 $1, Y5, X6
	VADDPD X6, X5, X5
	VHADDPD X5, X5, X5
	VZEROUPPER
	MOVSD X5, ret+72(FP)
	RET

// Offsets in derivativeLanes.
#define U 0
#define W 32
#define CW 64
#define SW 96
#define SU 128
#define CU 160
#define ONE 192
#define PI 224
#define INVSPAN 256
#define PI4 288
#define DW4 320
#define C4 352
#define S4 384
#define F 416
#define Q1P 448
#define Q1PU 480
#define QPW 512
#define Q1PW 544
#define QCW 576

// func sincDerivatives4(v *float64, stride, groups int, st *derivativeLanes)
TEXT ·sincDerivatives4(SB), NOSPLIT, $0-32
	MOVQ v+0(FP), SI
	MOVQ stride+8(FP), BX
	MOVQ groups+16(FP), CX
	MOVQ st+24(FP), AX
	VMOVUPD U(AX), Y0
	VMOVUPD W(AX), Y1
	VMOVUPD CW(AX), Y2
	VMOVUPD SW(AX), Y3
	VXORPD Y4, Y4, Y4      // f
	VXORPD Y5, Y5, Y5      // q1p
	VXORPD Y6, Y6, Y6      // q1pu
	VXORPD Y7, Y7, Y7      // qpw
	VXORPD Y8, Y8, Y8      // q1pw
	VXORPD Y9, Y9, Y9      // qcw

deriv4:
	VMOVUPD ONE(AX), Y10
	VDIVPD Y0, Y10, Y10    // inv = 1/u
	VMULPD SU(AX), Y10, Y11 // q = sin u·inv
	VMOVUPD CU(AX), Y12
	VSUBPD Y11, Y12, Y12
	VMULPD Y10, Y12, Y12   // q1 = (cos u − q)·inv
	VMOVUPD (SI), Y15
	VMULPD Y15, Y11, Y11   // vq
	VMULPD Y15, Y12, Y12   // vq1
	VADDPD ONE(AX), Y2, Y13 // p = 1 + cos w
	VMULPD Y13, Y12, Y14
	VADDPD Y14, Y5, Y5     // q1p += vq1·p
	VMULPD Y10, Y14, Y14
	VADDPD Y14, Y6, Y6     // q1pu += vq1·p·inv
	VMULPD Y13, Y11, Y10
	VADDPD Y10, Y4, Y4     // f += vq·p
	VMOVUPD PI(AX), Y14
	VSUBPD Y1, Y14, Y14
	VMULPD INVSPAN(AX), Y14, Y14 // wx = (π − w)/span
	VMULPD Y14, Y3, Y15    // sin w·wx = −pw
	VMULPD Y15, Y11, Y10
	VSUBPD Y10, Y7, Y7     // qpw += vq·pw
	VMULPD Y15, Y12, Y10
	VSUBPD Y10, Y8, Y8     // q1pw += vq1·pw
	VMULPD Y2, Y11, Y10
	VMULPD Y14, Y10, Y10
	VMULPD Y14, Y10, Y10
	VADDPD Y10, Y9, Y9     // qcw += vq·cos w·wx·wx
	VADDPD PI4(AX), Y0, Y0
	VADDPD DW4(AX), Y1, Y1
	VMULPD C4(AX), Y2, Y10
	VMULPD S4(AX), Y3, Y11
	VMULPD C4(AX), Y3, Y13
	VMULPD S4(AX), Y2, Y2
	VADDPD Y2, Y13, Y3     // sin w = sin w·c4 + cos w·s4
	VSUBPD Y11, Y10, Y2    // cos w = cos w·c4 − sin w·s4
	ADDQ BX, SI
	DECQ CX
	JNZ  deriv4

	VMOVUPD Y0, U(AX)
	VMOVUPD Y1, W(AX)
	VMOVUPD Y2, CW(AX)
	VMOVUPD Y3, SW(AX)
	VMOVUPD Y4, F(AX)
	VMOVUPD Y5, Q1P(AX)
	VMOVUPD Y6, Q1PU(AX)
	VMOVUPD Y7, QPW(AX)
	VMOVUPD Y8, Q1PW(AX)
	VMOVUPD Y9, QCW(AX)
	VZEROUPPER
	RET

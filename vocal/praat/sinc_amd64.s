//go:build amd64 && !purego

#include "textflag.h"

// Constants of sincDerivatives4, four times each, in its frame.
#define ONE 0(SP)
#define SU 32(SP)
#define CU 64(SP)
#define PI4 96(SP)
#define DWX4 128(SP)
#define C4 160(SP)
#define S4 192(SP)

DATA one<>+0(SB)/8, $0x3ff0000000000000
GLOBL one<>(SB), RODATA|NOPTR, $8

DATA lanePhases<>+0(SB)/8, $0.0
DATA lanePhases<>+8(SB)/8, $3.141592653589793
DATA lanePhases<>+16(SB)/8, $6.283185307179586
DATA lanePhases<>+24(SB)/8, $9.42477796076938
GLOBL lanePhases<>(SB), RODATA|NOPTR, $32

DATA laneSigns<>+0(SB)/8, $1.0
DATA laneSigns<>+8(SB)/8, $-1.0
DATA laneSigns<>+16(SB)/8, $1.0
DATA laneSigns<>+24(SB)/8, $-1.0
GLOBL laneSigns<>(SB), RODATA|NOPTR, $32

DATA pi4<>+0(SB)/8, $12.566370614359172
GLOBL pi4<>(SB), RODATA|NOPTR, $8

DATA pi8<>+0(SB)/8, $25.132741228718345
GLOBL pi8<>(SB), RODATA|NOPTR, $8

// TAPER_LANES turns the taper angle (cos in X0, sin in X1) and the step
// (cos in X2, sin in X3) into the angles at terms 0..3 (cos in Y1, sin in
// Y2) and the step by four (cos in X10, sin in X11, twice each), rotating
// as the Go loops rotate it: cos' = c·cr − s·sr, sin' = s·cr + c·sr.
// It uses X4–X9.
#define TAPER_LANES \
	VMULSD X2, X0, X4; \
	VMULSD X3, X1, X5; \
	VSUBSD X5, X4, X4; \
	VMULSD X2, X1, X5; \
	VMULSD X3, X0, X6; \
	VADDSD X6, X5, X5; \
	VMULSD X2, X2, X6; \
	VMULSD X3, X3, X7; \
	VSUBSD X7, X6, X6; \
	VMULSD X3, X2, X7; \
	VADDSD X7, X7, X7; \
	VUNPCKLPD X4, X0, X0; \
	VUNPCKLPD X5, X1, X1; \
	VMOVDDUP X6, X6; \
	VMOVDDUP X7, X7; \
	VMULPD X6, X0, X8; \
	VMULPD X7, X1, X9; \
	VSUBPD X9, X8, X8; \
	VMULPD X6, X1, X9; \
	VMULPD X7, X0, X4; \
	VADDPD X4, X9, X9; \
	VINSERTF128 $1, X9, Y1, Y2; \
	VINSERTF128 $1, X8, Y0, Y1; \
	VMULPD X6, X6, X10; \
	VMULPD X7, X7, X11; \
	VSUBPD X11, X10, X10; \
	VMULPD X7, X6, X11; \
	VADDPD X11, X11, X11

// func sincSide8(v *float64, down, groups int, a, halfsina, c, s, cd, sd float64) (sum, aNext, cNext, sNext float64)
TEXT ·sincSide8(SB), NOSPLIT, $0-104
	MOVQ v+0(FP), SI
	MOVQ down+8(FP), R8
	MOVQ groups+16(FP), CX
	MOVQ $32, DX           // B's offset
	MOVQ $64, BX           // stride
	TESTQ R8, R8
	JZ   setup
	NEGQ DX
	NEGQ BX

setup:
	VMOVSD c+40(FP), X0
	VMOVSD s+48(FP), X1
	VMOVSD cd+56(FP), X2
	VMOVSD sd+64(FP), X3
	TAPER_LANES            // cA in Y1, sA in Y2
	VMULPD X10, X10, X12
	VMULPD X11, X11, X13
	VSUBPD X13, X12, X12   // c8
	VMULPD X11, X10, X13
	VADDPD X13, X13, X13   // s8
	VINSERTF128 $1, X10, Y10, Y10
	VINSERTF128 $1, X11, Y11, Y11
	VINSERTF128 $1, X12, Y12, Y7 // c8, in Y7 from here on
	VINSERTF128 $1, X13, Y13, Y8 // s8, in Y8
	VMULPD Y10, Y1, Y3
	VMULPD Y11, Y2, Y4
	VSUBPD Y4, Y3, Y3      // cB
	VMULPD Y10, Y2, Y4
	VMULPD Y11, Y1, Y5
	VADDPD Y5, Y4, Y4      // sB
	VBROADCASTSD a+24(FP), Y0
	VADDPD lanePhases<>(SB), Y0, Y0 // uA = a + kπ
	VBROADCASTSD halfsina+32(FP), Y9
	VMULPD laneSigns<>(SB), Y9, Y9  // h = ±½ sin a
	TESTQ R8, R8
	JZ   ready
	VPERMPD $0x1B, Y0, Y0  // the left side's lanes run backwards
	VPERMPD $0x1B, Y1, Y1
	VPERMPD $0x1B, Y2, Y2
	VPERMPD $0x1B, Y3, Y3
	VPERMPD $0x1B, Y4, Y4
	VPERMPD $0x1B, Y9, Y9

ready:
	VBROADCASTSD pi4<>(SB), Y10
	VBROADCASTSD pi8<>(SB), Y11
	VBROADCASTSD one<>(SB), Y12
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

	TESTQ R8, R8
	JZ   done
	VPERMPD $0x1B, Y0, Y0  // the next term is in lane 0 again
	VPERMPD $0x1B, Y1, Y1
	VPERMPD $0x1B, Y2, Y2

done:
	VMOVSD X0, aNext+80(FP)
	VMOVSD X1, cNext+88(FP)
	VMOVSD X2, sNext+96(FP)
	VADDPD Y6, Y5, Y5
	VEXTRACTF128 $1, Y5, X6
	VADDPD X6, X5, X5
	VHADDPD X5, X5, X5
	VZEROUPPER
	MOVSD X5, sum+72(FP)
	RET

DATA laneIndex<>+0(SB)/8, $0.0
DATA laneIndex<>+8(SB)/8, $1.0
DATA laneIndex<>+16(SB)/8, $2.0
DATA laneIndex<>+24(SB)/8, $3.0
GLOBL laneIndex<>(SB), RODATA|NOPTR, $32

// HSUM adds the lanes of y (whose low half is x) to the float64 at m.
#define HSUM(y, x, m) \
	VEXTRACTF128 $1, y, X10; \
	VADDPD X10, x, x; \
	VHADDPD x, x, x; \
	VADDSD m, x, x; \
	VMOVSD x, m

// func sincDerivatives4(v *float64, down, groups int, dwx, cd, sd float64, t *sincTerm, s *derivativeSums)
TEXT ·sincDerivatives4(SB), NOSPLIT, $224-64
	MOVQ v+0(FP), SI
	MOVQ down+8(FP), R8
	MOVQ groups+16(FP), CX
	MOVQ t+48(FP), AX
	MOVQ $32, BX           // stride
	TESTQ R8, R8
	JZ   dsetup
	NEGQ BX

dsetup:
	VMOVSD 40(AX), X0      // cos w
	VMOVSD 32(AX), X1      // sin w
	VMOVSD cd+32(FP), X2
	VMOVSD sd+40(FP), X3
	TAPER_LANES
	VMOVUPD Y2, Y3         // sin w
	VMOVUPD Y1, Y2         // cos w
	VINSERTF128 $1, X10, Y10, Y10
	VMOVUPD Y10, C4
	VINSERTF128 $1, X11, Y11, Y11
	VMOVUPD Y11, S4
	VBROADCASTSD 0(AX), Y0
	VADDPD lanePhases<>(SB), Y0, Y0 // u = u0 + kπ
	VBROADCASTSD 8(AX), Y1
	VBROADCASTSD dwx+24(FP), Y4
	VMULPD laneIndex<>(SB), Y4, Y5
	VSUBPD Y5, Y1, Y1      // wx = wx0 − k·dwx
	VADDPD Y4, Y4, Y4
	VADDPD Y4, Y4, Y4
	VMOVUPD Y4, DWX4
	VBROADCASTSD 16(AX), Y5
	VMULPD laneSigns<>(SB), Y5, Y5 // sin u
	VBROADCASTSD 24(AX), Y6
	VMULPD laneSigns<>(SB), Y6, Y6 // cos u
	TESTQ R8, R8
	JZ   dready
	VPERMPD $0x1B, Y0, Y0  // the left side's lanes run backwards
	VPERMPD $0x1B, Y1, Y1
	VPERMPD $0x1B, Y2, Y2
	VPERMPD $0x1B, Y3, Y3
	VPERMPD $0x1B, Y5, Y5
	VPERMPD $0x1B, Y6, Y6

dready:
	VMOVUPD Y5, SU
	VMOVUPD Y6, CU
	VBROADCASTSD one<>(SB), Y4
	VMOVUPD Y4, ONE
	VBROADCASTSD pi4<>(SB), Y4
	VMOVUPD Y4, PI4
	VXORPD Y4, Y4, Y4      // f
	VXORPD Y5, Y5, Y5      // q1p
	VXORPD Y6, Y6, Y6      // q1pu
	VXORPD Y7, Y7, Y7      // qpw
	VXORPD Y8, Y8, Y8      // q1pw
	VXORPD Y9, Y9, Y9      // qcw

deriv4:
	VMOVUPD ONE, Y10
	VDIVPD Y0, Y10, Y10    // inv = 1/u
	VMULPD SU, Y10, Y11    // q = sin u·inv
	VMOVUPD CU, Y12
	VSUBPD Y11, Y12, Y12
	VMULPD Y10, Y12, Y12   // q1 = (cos u − q)·inv
	VMOVUPD (SI), Y15
	VMULPD Y15, Y11, Y11   // vq
	VMULPD Y15, Y12, Y12   // vq1
	VADDPD ONE, Y2, Y13    // p = 1 + cos w
	VMULPD Y13, Y12, Y14
	VADDPD Y14, Y5, Y5     // q1p += vq1·p
	VMULPD Y10, Y14, Y14
	VADDPD Y14, Y6, Y6     // q1pu += vq1·p·inv
	VMULPD Y13, Y11, Y10
	VADDPD Y10, Y4, Y4     // f += vq·p
	VMULPD Y1, Y3, Y15     // sin w·wx = −pw
	VMULPD Y15, Y11, Y10
	VSUBPD Y10, Y7, Y7     // qpw += vq·pw
	VMULPD Y15, Y12, Y10
	VSUBPD Y10, Y8, Y8     // q1pw += vq1·pw
	VMULPD Y2, Y11, Y10
	VMULPD Y1, Y10, Y10
	VMULPD Y1, Y10, Y10
	VADDPD Y10, Y9, Y9     // qcw += vq·cos w·wx·wx
	VADDPD PI4, Y0, Y0
	VSUBPD DWX4, Y1, Y1
	VMULPD C4, Y2, Y10
	VMULPD S4, Y3, Y11
	VMULPD C4, Y3, Y13
	VMULPD S4, Y2, Y2
	VADDPD Y2, Y13, Y3     // sin w = sin w·c4 + cos w·s4
	VSUBPD Y11, Y10, Y2    // cos w = cos w·c4 − sin w·s4
	ADDQ BX, SI
	DECQ CX
	JNZ  deriv4

	TESTQ R8, R8
	JZ   ddone
	VPERMPD $0x1B, Y0, Y0  // the next term is in lane 0 again
	VPERMPD $0x1B, Y1, Y1
	VPERMPD $0x1B, Y2, Y2
	VPERMPD $0x1B, Y3, Y3

ddone:
	// 4·groups terms on, sin u and cos u are back to their first signs.
	VMOVSD X0, 0(AX)
	VMOVSD X1, 8(AX)
	VMOVSD X3, 32(AX)
	VMOVSD X2, 40(AX)
	MOVQ s+56(FP), DI
	HSUM(Y4, X4, 0(DI))
	HSUM(Y5, X5, 8(DI))
	HSUM(Y6, X6, 16(DI))
	HSUM(Y7, X7, 24(DI))
	HSUM(Y8, X8, 32(DI))
	HSUM(Y9, X9, 40(DI))
	VZEROUPPER
	RET

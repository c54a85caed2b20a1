//go:build amd64 && !purego

package infer

import "golang.org/x/sys/cpu"

// haveAsmKernel reports whether the AVX2/FMA micro-kernel can run here.
var haveAsmKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func micro4x16(k int, a, b, c *float32, ldc int, acc bool)

// microAsm checks the bounds the assembly relies on, then calls it.
func microAsm(k int, a, b, c []float32, ldc int, acc bool) {
	_ = a[k*mr-1]
	_ = b[k*nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	micro4x16(k, &a[0], &b[0], &c[0], ldc, acc)
}

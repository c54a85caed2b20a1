//go:build amd64 && !purego

package praat

import "golang.org/x/sys/cpu"

// useAVX2 reports whether the AVX2/FMA kernels (files *_amd64.s) can run
// here. Elsewhere, and under the purego build tag, the pure-Go versions
// of the same kernels run instead; the tests check that both agree.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:build !amd64 || purego

package praat

// useAVX2 is false where the AVX2/FMA kernels are not built.
const useAVX2 = false

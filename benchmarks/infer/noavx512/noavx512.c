// noavx512.so hides AVX-512 from the process it is preloaded into, so that
// onnxruntime on an AVX-512 machine picks the AVX2/FMA kernels an
// AVX2-only machine runs (the counterpart of NEVERMIND_INFER_KERNELS=avx2
// for our side; onnxruntime has no such switch):
//
//	gcc -O2 -shared -fPIC -o /tmp/noavx512.so benchmarks/infer/noavx512/noavx512.c
//	go run ./benchmarks/infer -ort-preload /tmp/noavx512.so
//
// It turns on CPUID faulting (arch_prctl ARCH_SET_CPUID, Linux 4.12+; the
// CPU or hypervisor must offer it, /proc/cpuinfo flag cpuid_fault), so
// every CPUID instruction traps; the SIGSEGV handler runs the real CPUID
// and clears the AVX-512 feature bits of leaf 7 before returning the
// result. onnxruntime's MLAS reads these bits to choose its kernels. Node
// must run with --disable-wasm-trap-handler, whose SIGSEGV handler would
// otherwise replace this one.
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static long set_cpuid(int enabled) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, enabled); }

static void on_segv(int sig, siginfo_t *si, void *ctx) {
	(void)sig;
	(void)si;
	ucontext_t *uc = ctx;
	greg_t *r = uc->uc_mcontext.gregs;
	const unsigned char *ip = (const unsigned char *)r[REG_RIP];
	if (ip[0] != 0x0f || ip[1] != 0xa2) {
		signal(SIGSEGV, SIG_DFL); // a real fault: it recurs and ends the process
		return;
	}
	unsigned leaf = (unsigned)r[REG_RAX], sub = (unsigned)r[REG_RCX];
	unsigned a, b, c, d;
	set_cpuid(1);
	__cpuid_count(leaf, sub, a, b, c, d);
	set_cpuid(0);
	if (leaf == 7 && sub == 0) {
		// EBX: F, DQ, IFMA, PF, ER, CD, BW, VL; ECX: VBMI, VBMI2, VNNI,
		// BITALG, VPOPCNTDQ; EDX: 4VNNIW, 4FMAPS, VP2INTERSECT, FP16.
		b &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
		c &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
		d &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 23));
	}
	if (leaf == 7 && sub == 1) {
		a &= ~(1u << 5); // AVX512_BF16
	}
	r[REG_RAX] = a;
	r[REG_RBX] = b;
	r[REG_RCX] = c;
	r[REG_RDX] = d;
	r[REG_RIP] += 2; // past the CPUID instruction
}

__attribute__((constructor)) static void hide_avx512(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSEGV, &sa, 0) != 0 || set_cpuid(0) != 0) {
		static const char msg[] = "noavx512: CPUID faulting unavailable; AVX-512 NOT hidden\n";
		(void)!write(2, msg, sizeof msg - 1);
		_exit(1);
	}
}

#pragma once

// UADSCOPE_TARGET_CLONES before a function with hot loops compiles it twice on x86-64, for AVX2
// and for the baseline instruction set, and picks the version for the running CPU at load
// time (GCC and Clang target_clones). The build keeps its portable default flags.
//
// Neither version enables FMA, and the loops it is used on fix the order of every sum, so both
// versions give the same bits. Other architectures compile the function once.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define UADSCOPE_TARGET_CLONES [[gnu::target_clones("avx2", "default")]]
#else
#define UADSCOPE_TARGET_CLONES
#endif

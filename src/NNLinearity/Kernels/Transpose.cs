using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNLinearity.Kernels;

/// <summary>
/// Square in-register transposes of blocks of a row-major matrix: 16 x 16 floats and 8 x 8 doubles with AVX-512,
/// 8 x 8 floats and 4 x 4 doubles with AVX. They move values only (no arithmetic), so a transposed block holds the
/// source's bits; <see cref="Gemm"/> packs weight panels with them.
/// </summary>
internal static unsafe class Transpose
{
    /// <summary>
    /// The side of the block this machine transposes for <typeparamref name="T"/>: 16 floats or 8 doubles where
    /// 512-bit vectors are accelerated, 8 or 4 with AVX, else 0 (no block transpose: callers copy element by element).
    /// </summary>
    public static int Block<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 16 : Avx.IsSupported ? 8 : 0;
        if (typeof(T) == typeof(double)) return Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 8 : Avx.IsSupported ? 4 : 0;
        return 0;
    }

    /// <summary>
    /// dst[c ldd + r] = src[r lds + c] for r, c &lt; <see cref="Block{T}"/>(), which must be non-zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Square<T>(T* src, nint lds, T* dst, nint ldd) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) Square16((float*)src, lds, (float*)dst, ldd);
            else Square8((float*)src, lds, (float*)dst, ldd);
        }
        else if (typeof(T) == typeof(double))
        {
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) Square8((double*)src, lds, (double*)dst, ldd);
            else Square4((double*)src, lds, (double*)dst, ldd);
        }
        else
        {
            throw new NotSupportedException($"No block transpose for {typeof(T).Name}.");
        }
    }

    // 16 x 16 floats: pairs of rows interleaved (unpack ps), pairs of pairs (unpack pd), then 128-bit lanes exchanged
    // twice (shuffle f32x4): 64 shuffles for 256 values.
    private static void Square16(float* s, nint ld, float* d, nint ldd)
    {
        Vector512<float> r0 = Vector512.Load(s), r1 = Vector512.Load(s + ld), r2 = Vector512.Load(s + 2 * ld), r3 = Vector512.Load(s + 3 * ld);
        Vector512<float> r4 = Vector512.Load(s + 4 * ld), r5 = Vector512.Load(s + 5 * ld), r6 = Vector512.Load(s + 6 * ld), r7 = Vector512.Load(s + 7 * ld);
        Vector512<float> r8 = Vector512.Load(s + 8 * ld), r9 = Vector512.Load(s + 9 * ld), r10 = Vector512.Load(s + 10 * ld), r11 = Vector512.Load(s + 11 * ld);
        Vector512<float> r12 = Vector512.Load(s + 12 * ld), r13 = Vector512.Load(s + 13 * ld), r14 = Vector512.Load(s + 14 * ld), r15 = Vector512.Load(s + 15 * ld);

        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);

        r0 = PairLow(t0, t2); r1 = PairHigh(t0, t2); r2 = PairLow(t1, t3); r3 = PairHigh(t1, t3);
        r4 = PairLow(t4, t6); r5 = PairHigh(t4, t6); r6 = PairLow(t5, t7); r7 = PairHigh(t5, t7);
        r8 = PairLow(t8, t10); r9 = PairHigh(t8, t10); r10 = PairLow(t9, t11); r11 = PairHigh(t9, t11);
        r12 = PairLow(t12, t14); r13 = PairHigh(t12, t14); r14 = PairLow(t13, t15); r15 = PairHigh(t13, t15);

        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88);
        t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD);
        t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);

        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(d);
        Avx512F.Shuffle4x128(t1, t9, 0x88).Store(d + ldd);
        Avx512F.Shuffle4x128(t2, t10, 0x88).Store(d + 2 * ldd);
        Avx512F.Shuffle4x128(t3, t11, 0x88).Store(d + 3 * ldd);
        Avx512F.Shuffle4x128(t4, t12, 0x88).Store(d + 4 * ldd);
        Avx512F.Shuffle4x128(t5, t13, 0x88).Store(d + 5 * ldd);
        Avx512F.Shuffle4x128(t6, t14, 0x88).Store(d + 6 * ldd);
        Avx512F.Shuffle4x128(t7, t15, 0x88).Store(d + 7 * ldd);
        Avx512F.Shuffle4x128(t0, t8, 0xDD).Store(d + 8 * ldd);
        Avx512F.Shuffle4x128(t1, t9, 0xDD).Store(d + 9 * ldd);
        Avx512F.Shuffle4x128(t2, t10, 0xDD).Store(d + 10 * ldd);
        Avx512F.Shuffle4x128(t3, t11, 0xDD).Store(d + 11 * ldd);
        Avx512F.Shuffle4x128(t4, t12, 0xDD).Store(d + 12 * ldd);
        Avx512F.Shuffle4x128(t5, t13, 0xDD).Store(d + 13 * ldd);
        Avx512F.Shuffle4x128(t6, t14, 0xDD).Store(d + 14 * ldd);
        Avx512F.Shuffle4x128(t7, t15, 0xDD).Store(d + 15 * ldd);
    }

    private static Vector512<float> PairLow(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    private static Vector512<float> PairHigh(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

    // 8 x 8 doubles: pairs of rows interleaved (unpack pd), then 128-bit lanes exchanged twice (shuffle f64x2).
    private static void Square8(double* s, nint ld, double* d, nint ldd)
    {
        Vector512<double> r0 = Vector512.Load(s), r1 = Vector512.Load(s + ld), r2 = Vector512.Load(s + 2 * ld), r3 = Vector512.Load(s + 3 * ld);
        Vector512<double> r4 = Vector512.Load(s + 4 * ld), r5 = Vector512.Load(s + 5 * ld), r6 = Vector512.Load(s + 6 * ld), r7 = Vector512.Load(s + 7 * ld);

        Vector512<double> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<double> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<double> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<double> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);

        r0 = Avx512F.Shuffle4x128(t0, t2, 0x88); r1 = Avx512F.Shuffle4x128(t1, t3, 0x88);
        r2 = Avx512F.Shuffle4x128(t0, t2, 0xDD); r3 = Avx512F.Shuffle4x128(t1, t3, 0xDD);
        r4 = Avx512F.Shuffle4x128(t4, t6, 0x88); r5 = Avx512F.Shuffle4x128(t5, t7, 0x88);
        r6 = Avx512F.Shuffle4x128(t4, t6, 0xDD); r7 = Avx512F.Shuffle4x128(t5, t7, 0xDD);

        Avx512F.Shuffle4x128(r0, r4, 0x88).Store(d);
        Avx512F.Shuffle4x128(r1, r5, 0x88).Store(d + ldd);
        Avx512F.Shuffle4x128(r2, r6, 0x88).Store(d + 2 * ldd);
        Avx512F.Shuffle4x128(r3, r7, 0x88).Store(d + 3 * ldd);
        Avx512F.Shuffle4x128(r0, r4, 0xDD).Store(d + 4 * ldd);
        Avx512F.Shuffle4x128(r1, r5, 0xDD).Store(d + 5 * ldd);
        Avx512F.Shuffle4x128(r2, r6, 0xDD).Store(d + 6 * ldd);
        Avx512F.Shuffle4x128(r3, r7, 0xDD).Store(d + 7 * ldd);
    }

    // 8 x 8 floats: unpack ps, shuffle ps (pairs of pairs), then 128-bit halves exchanged (permute2f128).
    private static void Square8(float* s, nint ld, float* d, nint ldd)
    {
        Vector256<float> r0 = Vector256.Load(s), r1 = Vector256.Load(s + ld), r2 = Vector256.Load(s + 2 * ld), r3 = Vector256.Load(s + 3 * ld);
        Vector256<float> r4 = Vector256.Load(s + 4 * ld), r5 = Vector256.Load(s + 5 * ld), r6 = Vector256.Load(s + 6 * ld), r7 = Vector256.Load(s + 7 * ld);

        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        r0 = Avx.Shuffle(t0, t2, 0x44); r1 = Avx.Shuffle(t0, t2, 0xEE);
        r2 = Avx.Shuffle(t1, t3, 0x44); r3 = Avx.Shuffle(t1, t3, 0xEE);
        r4 = Avx.Shuffle(t4, t6, 0x44); r5 = Avx.Shuffle(t4, t6, 0xEE);
        r6 = Avx.Shuffle(t5, t7, 0x44); r7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Permute2x128(r0, r4, 0x20).Store(d);
        Avx.Permute2x128(r1, r5, 0x20).Store(d + ldd);
        Avx.Permute2x128(r2, r6, 0x20).Store(d + 2 * ldd);
        Avx.Permute2x128(r3, r7, 0x20).Store(d + 3 * ldd);
        Avx.Permute2x128(r0, r4, 0x31).Store(d + 4 * ldd);
        Avx.Permute2x128(r1, r5, 0x31).Store(d + 5 * ldd);
        Avx.Permute2x128(r2, r6, 0x31).Store(d + 6 * ldd);
        Avx.Permute2x128(r3, r7, 0x31).Store(d + 7 * ldd);
    }

    // 4 x 4 doubles: unpack pd, then 128-bit halves exchanged (permute2f128).
    private static void Square4(double* s, nint ld, double* d, nint ldd)
    {
        Vector256<double> r0 = Vector256.Load(s), r1 = Vector256.Load(s + ld), r2 = Vector256.Load(s + 2 * ld), r3 = Vector256.Load(s + 3 * ld);
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Avx.Permute2x128(t0, t2, 0x20).Store(d);
        Avx.Permute2x128(t1, t3, 0x20).Store(d + ldd);
        Avx.Permute2x128(t0, t2, 0x31).Store(d + 2 * ldd);
        Avx.Permute2x128(t1, t3, 0x31).Store(d + 3 * ldd);
    }
}

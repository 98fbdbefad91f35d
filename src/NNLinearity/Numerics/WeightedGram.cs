using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NNLinearity.Numerics;

/// <summary>
/// The Gram kernel of an IRLS pass. A block of rows is held row-major (row i at u[i * stride], stride a multiple of
/// the tile width, padded with zeros) and the lower triangle of U^T W U, W = diag(weights), is accumulated by a
/// register-blocked kernel (each row's vector of columns j is scaled by its weight once, then multiplied by the
/// broadcast unweighted columns l, so no square roots of the weights are needed):
/// tiles of 2 vectors of columns j times 4 broadcast columns l (8 <see cref="Vector{T}"/> accumulators, one FMA per
/// pair and lane), rows streamed through the tile. The result is stored transposed: gram[l * stride + j] for j &gt;= l.
/// <see cref="Vector{T}"/> is 256-bit with AVX2, 128-bit on SSE/NEON, and a software fallback without SIMD; on
/// AVX-512 hardware a 512-bit kernel with 1 x 8 tiles is used instead.
/// </summary>
internal static class WeightedGram
{
    /// <summary>Rows per block: 128 rows x 24 columns x 8 bytes = 24 KiB, inside a 32 KiB L1 data cache.</summary>
    public const int BlockRows = 128;

    /// <summary>Columns padded to a whole number of tiles (2 vectors wide, and at least 4 for the broadcast block).</summary>
    public static int PaddedColumns(int columns)
    {
        int tile = Math.Max(4, 2 * Vector<double>.Count);
        return (columns + tile - 1) / tile * tile;
    }

    /// <summary>gram[l * stride + j] += sum_i weights[i] u[i, j] u[i, l] for every j &gt;= l (and the rest of each diagonal tile).</summary>
    public static void Accumulate(ReadOnlySpan<double> u, int rows, int stride, ReadOnlySpan<double> weights, Span<double> gram)
    {
        if (Vector512.IsHardwareAccelerated && stride % 8 == 0) Accumulate512(u, rows, stride, weights, gram);
        else AccumulateVector(u, rows, stride, weights, gram);
    }

    /// <summary>
    /// The AVX-512 kernel: tiles of one 512-bit vector of columns j (8 doubles) times 8 broadcast columns l, tiles on
    /// and below the diagonal only (8 accumulators; with 32 vector registers nothing spills).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Accumulate512(ReadOnlySpan<double> u, int rows, int stride, ReadOnlySpan<double> weights, Span<double> gram)
    {
        if (weights.Length < rows) throw new ArgumentException("One weight per row is needed.", nameof(weights));
        ref double u0 = ref MemoryMarshal.GetReference(u);
        ref double w0 = ref MemoryMarshal.GetReference(weights);
        ref double g0 = ref MemoryMarshal.GetReference(gram);
        for (int jb = 0; jb < stride; jb += 8)
        {
            for (int lb = 0; lb <= jb; lb += 8)
            {
                Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                ref double row = ref u0;
                for (int i = 0; i < rows; i++)
                {
                    Vector512<double> x = Vector512.LoadUnsafe(ref row, (nuint)jb) * Vector512.Create(Unsafe.Add(ref w0, i));
                    ref double l = ref Unsafe.Add(ref row, lb);
                    a0 = Vector512.FusedMultiplyAdd(x, Vector512.Create(l), a0);
                    a1 = Vector512.FusedMultiplyAdd(x, Vector512.Create(Unsafe.Add(ref l, 1)), a1);
                    a2 = Vector512.FusedMultiplyAdd(x, Vector512.Create(Unsafe.Add(ref l, 2)), a2);
                    a3 = Vector512.FusedMultiplyAdd(x, Vector512.Create(Unsafe.Add(ref l, 3)), a3);
                    a4 = Vector512.FusedMultiplyAdd(x, Vector512.Create(Unsafe.Add(ref l, 4)), a4);
                    a5 = Vector512.FusedMultiplyAdd(x, Vector512.Create(Unsafe.Add(ref l, 5)), a5);
                    a6 = Vector512.FusedMultiplyAdd(x, Vector512.Create(Unsafe.Add(ref l, 6)), a6);
                    a7 = Vector512.FusedMultiplyAdd(x, Vector512.Create(Unsafe.Add(ref l, 7)), a7);
                    row = ref Unsafe.Add(ref row, stride);
                }

                Add512(ref g0, lb * stride + jb, a0);
                Add512(ref g0, (lb + 1) * stride + jb, a1);
                Add512(ref g0, (lb + 2) * stride + jb, a2);
                Add512(ref g0, (lb + 3) * stride + jb, a3);
                Add512(ref g0, (lb + 4) * stride + jb, a4);
                Add512(ref g0, (lb + 5) * stride + jb, a5);
                Add512(ref g0, (lb + 6) * stride + jb, a6);
                Add512(ref g0, (lb + 7) * stride + jb, a7);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add512(ref double g, int offset, Vector512<double> v) =>
        (Vector512.LoadUnsafe(ref g, (nuint)offset) + v).StoreUnsafe(ref g, (nuint)offset);

    /// <summary>The <see cref="Vector{T}"/> kernel (256-bit with AVX2, 128-bit on SSE/NEON, software otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AccumulateVector(ReadOnlySpan<double> u, int rows, int stride, ReadOnlySpan<double> weights, Span<double> gram)
    {
        if (weights.Length < rows) throw new ArgumentException("One weight per row is needed.", nameof(weights));
        int vw = Vector<double>.Count;
        ref double u0 = ref MemoryMarshal.GetReference(u);
        ref double w0 = ref MemoryMarshal.GetReference(weights);
        ref double g0 = ref MemoryMarshal.GetReference(gram);
        for (int jb = 0; jb < stride; jb += 2 * vw)
        {
            for (int lb = 0; lb < jb + 2 * vw && lb < stride; lb += 4)
            {
                Vector<double> a00 = default, a01 = default, a02 = default, a03 = default;
                Vector<double> a10 = default, a11 = default, a12 = default, a13 = default;
                ref double row = ref u0;
                for (int i = 0; i < rows; i++)
                {
                    var wi = new Vector<double>(Unsafe.Add(ref w0, i));
                    Vector<double> x0 = Vector.LoadUnsafe(ref row, (nuint)jb) * wi;
                    Vector<double> x1 = Vector.LoadUnsafe(ref row, (nuint)(jb + vw)) * wi;
                    var b0 = new Vector<double>(Unsafe.Add(ref row, lb));
                    var b1 = new Vector<double>(Unsafe.Add(ref row, lb + 1));
                    var b2 = new Vector<double>(Unsafe.Add(ref row, lb + 2));
                    var b3 = new Vector<double>(Unsafe.Add(ref row, lb + 3));
                    a00 = Vector.FusedMultiplyAdd(x0, b0, a00);
                    a01 = Vector.FusedMultiplyAdd(x0, b1, a01);
                    a02 = Vector.FusedMultiplyAdd(x0, b2, a02);
                    a03 = Vector.FusedMultiplyAdd(x0, b3, a03);
                    a10 = Vector.FusedMultiplyAdd(x1, b0, a10);
                    a11 = Vector.FusedMultiplyAdd(x1, b1, a11);
                    a12 = Vector.FusedMultiplyAdd(x1, b2, a12);
                    a13 = Vector.FusedMultiplyAdd(x1, b3, a13);
                    row = ref Unsafe.Add(ref row, stride);
                }

                AddTo(ref g0, lb * stride + jb, a00);
                AddTo(ref g0, (lb + 1) * stride + jb, a01);
                AddTo(ref g0, (lb + 2) * stride + jb, a02);
                AddTo(ref g0, (lb + 3) * stride + jb, a03);
                AddTo(ref g0, lb * stride + jb + vw, a10);
                AddTo(ref g0, (lb + 1) * stride + jb + vw, a11);
                AddTo(ref g0, (lb + 2) * stride + jb + vw, a12);
                AddTo(ref g0, (lb + 3) * stride + jb + vw, a13);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref double g, int offset, Vector<double> v) =>
        (Vector.LoadUnsafe(ref g, (nuint)offset) + v).StoreUnsafe(ref g, (nuint)offset);

    /// <summary>dst[i] = offset[i] + sum_j u[i, j] beta[j], with beta padded by zeros to the row stride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LinearPredictor(ReadOnlySpan<double> u, int rows, int stride, ReadOnlySpan<double> betaPadded, ReadOnlySpan<double> offset, Span<double> dst)
    {
        int vw = Vector<double>.Count;
        ref double u0 = ref MemoryMarshal.GetReference(u);
        ref double b0 = ref MemoryMarshal.GetReference(betaPadded);
        for (int i = 0; i < rows; i++)
        {
            ref double row = ref Unsafe.Add(ref u0, i * stride);
            Vector<double> acc = Vector<double>.Zero;
            for (int j = 0; j < stride; j += vw) acc = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)j), Vector.LoadUnsafe(ref b0, (nuint)j), acc);
            dst[i] = (offset.IsEmpty ? 0.0 : offset[i]) + Vector.Sum(acc);
        }
    }

    /// <summary>Writes values[i] into column <paramref name="column"/> of row i of the block (the working response).</summary>
    public static void SetColumn(Span<double> u, int rows, int stride, ReadOnlySpan<double> values, int column)
    {
        for (int i = 0; i < rows; i++) u[i * stride + column] = values[i];
    }

    /// <summary>True when every value of the block is finite (x * 0 is NaN exactly for NaN and infinities).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite(ReadOnlySpan<double> u)
    {
        int vw = Vector<double>.Count, i = 0;
        Vector<double> acc = Vector<double>.Zero;
        for (; i <= u.Length - vw; i += vw) acc += new Vector<double>(u[i..]) * Vector<double>.Zero;
        double s = Vector.Sum(acc);
        for (; i < u.Length; i++) s += u[i] * 0.0;
        return s == 0;
    }
}

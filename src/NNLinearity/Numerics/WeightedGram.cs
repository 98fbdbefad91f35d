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
internal static unsafe class WeightedGram
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
    public static void Accumulate(ReadOnlySpan<double> u, int rows, int stride, ReadOnlySpan<double> weights, Span<double> gram) =>
        Accumulate(u, rows, stride, weights, gram, default);

    /// <summary>
    /// <see cref="Accumulate(ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, Span{double})"/>; the 512-bit kernel
    /// also asks the cache for the lines <paramref name="ahead"/> (the next block's rows) while it computes, and skips
    /// the broadcasts of the padding beyond the first <paramref name="columns"/> columns (0: all of them are columns),
    /// whose cells of the Gram it then leaves as they were.
    /// </summary>
    public static void Accumulate(ReadOnlySpan<double> u, int rows, int stride, ReadOnlySpan<double> weights, Span<double> gram, (IntPtr Start, int Lines) ahead, int columns = 0)
    {
        if (Vector512.IsHardwareAccelerated && stride % 8 == 0) Accumulate512(u, rows, stride, weights, gram, ahead.Start, ahead.Lines, columns);
        else AccumulateVector(u, rows, stride, weights, gram);
    }

    /// <summary>
    /// Widest row (in doubles) whose weighted vectors the 512-bit kernel keeps for its later column blocks: a block of
    /// 128 rows and its kept vectors then take 40 KiB, within Zen 5's 48 KiB L1 (at 32 doubles, 56 KiB, multiplying
    /// again measured faster).
    /// </summary>
    internal const int MaxKeptStride = 24;

    [ThreadStatic]
    private static double[]? t_kept;

    /// <summary>
    /// The AVX-512 kernel: for each block of 8 broadcast columns l, the 512-bit vectors of columns j (8 doubles each)
    /// on and below the diagonal are taken three at a time (24 accumulators of the 32 registers), then two, then one:
    /// each row's 8 broadcasts serve up to 24 FMAs instead of 8. Every accumulator sums its rows in order with one FMA
    /// per row, so the result is the same, bit for bit, whatever the grouping. For rows of at most
    /// <see cref="MaxKeptStride"/> doubles, the first column block keeps each row's weighted vectors (w_i u[i, j..j+7])
    /// and the later blocks read them back instead of multiplying again (the same products, so the same bits); the
    /// diagonal block of the last columns broadcasts only the first <paramref name="columns"/> columns, rounded up to
    /// an even count (the padding's accumulators would only add zeros).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Accumulate512(ReadOnlySpan<double> u, int rows, int stride, ReadOnlySpan<double> weights, Span<double> gram, IntPtr ahead = 0, int aheadLines = 0, int columns = 0)
    {
        if (weights.Length < rows) throw new ArgumentException("One weight per row is needed.", nameof(weights));
        if (stride % 8 != 0) throw new ArgumentException($"The 512-bit kernel needs a stride that is a multiple of 8 doubles, not {stride}.", nameof(stride));
        if (columns < 0 || columns > stride) throw new ArgumentOutOfRangeException(nameof(columns), columns, $"Expected 0 (every column) or a count of columns from 1 to the stride, {stride}.");
        if (columns == 0) columns = stride;
        ref double u0 = ref MemoryMarshal.GetReference(u);
        ref double w0 = ref MemoryMarshal.GetReference(weights);
        ref double g0 = ref MemoryMarshal.GetReference(gram);
        int perRow = aheadLines > 0 ? (aheadLines + rows * (stride / 8) - 1) / (rows * (stride / 8)) : 0;
        var pf = new Ahead((byte*)ahead, (byte*)ahead + (long)aheadLines * 64, perRow);
        bool keep = stride > 8 && stride <= MaxKeptStride;
        int keptLength = rows * (stride - 8);
        if (keep && (t_kept is null || t_kept.Length < keptLength + 8)) t_kept = GC.AllocateArray<double>(Math.Max(keptLength, BlockRows * (MaxKeptStride - 8)) + 8, pinned: true);
        // The kept vectors start on a cache line, as the block's rows do.
        ref double k0 = ref keep ? ref t_kept![(int)((64 - ((nuint)Unsafe.AsPointer(ref t_kept[0]) & 63)) & 63) / sizeof(double)] : ref u0;
        for (int lb = 0; lb < stride; lb += 8)
        {
            if (!keep) Block<Recompute>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, columns, ref pf);
            else if (lb == 0) Block<Keep>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, columns, ref pf);
            else Block<Reuse>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, columns, ref pf);
        }
    }

    /// <summary>Where the kernel asks the cache for the next block's lines, and how many lines a row.</summary>
    private struct Ahead(byte* next, byte* end, int perRow)
    {
        private byte* _next = next;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Ask()
        {
            for (int q = 0; q < perRow && _next < end; q++, _next += 64) System.Runtime.Intrinsics.X86.Sse.Prefetch0(_next);
        }
    }

    /// <summary>How a column block gets its rows' weighted vectors.</summary>
    private interface IWeighting
    {
        /// <summary>Multiplies and keeps the vectors from column 8 on (the first column block).</summary>
        static abstract bool Keeps { get; }

        /// <summary>Reads the kept vectors (the later column blocks).</summary>
        static abstract bool Reuses { get; }
    }

    private struct Recompute : IWeighting
    {
        public static bool Keeps => false;

        public static bool Reuses => false;
    }

    private struct Keep : IWeighting
    {
        public static bool Keeps => true;

        public static bool Reuses => false;
    }

    private struct Reuse : IWeighting
    {
        public static bool Keeps => false;

        public static bool Reuses => true;
    }

    /// <summary>How many columns the last diagonal tile broadcasts.</summary>
    private interface IBroadcasts
    {
        static abstract int Count { get; }
    }

    private struct TwoBroadcasts : IBroadcasts
    {
        public static int Count => 2;
    }

    private struct FourBroadcasts : IBroadcasts
    {
        public static int Count => 4;
    }

    private struct SixBroadcasts : IBroadcasts
    {
        public static int Count => 6;
    }

    private struct EightBroadcasts : IBroadcasts
    {
        public static int Count => 8;
    }

    /// <summary>Row i's weighted vector of columns c..c+7 (c a multiple of 8; kept rows hold columns 8 on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Weighted<TW>(ref double row, ref double kept, int c, Vector512<double> wi) where TW : struct, IWeighting
    {
        if (TW.Reuses) return Vector512.LoadUnsafe(ref kept, (nuint)(c - 8));
        Vector512<double> x = Vector512.LoadUnsafe(ref row, (nuint)c) * wi;
        if (TW.Keeps && c >= 8) x.StoreUnsafe(ref kept, (nuint)(c - 8));
        return x;
    }

    /// <summary>One block of 8 broadcast columns from <paramref name="lb"/>: the vectors of columns from lb on, three at a time, then the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<TW>(ref double u0, ref double w0, ref double g0, ref double k0, int rows, int stride, int lb, int columns, ref Ahead pf)
        where TW : struct, IWeighting
    {
        int jb = lb, keptStride = stride - 8;
        for (; jb + 16 < stride; jb += 24)
        {
            Vector512<double> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default, a06 = default, a07 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default, a17 = default, a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default, a26 = default, a27 = default;
            ref double row = ref u0;
            ref double kept = ref k0;
            // Each row of every tile loop asks the cache for about one line of the next block, so that the memory
            // works while the FMAs do.
            for (int i = 0; i < rows; i++)
            {
                pf.Ask();
                Vector512<double> wi = TW.Reuses ? default : Vector512.Create(Unsafe.Add(ref w0, i));
                Vector512<double> x0 = Weighted<TW>(ref row, ref kept, jb, wi);
                Vector512<double> x1 = Weighted<TW>(ref row, ref kept, jb + 8, wi);
                Vector512<double> x2 = Weighted<TW>(ref row, ref kept, jb + 16, wi);
                ref double l0 = ref Unsafe.Add(ref row, lb);
                Vector512<double> b0 = Vector512.Create(Unsafe.Add(ref l0, 0));
                a00 = Vector512.FusedMultiplyAdd(x0, b0, a00);
                a10 = Vector512.FusedMultiplyAdd(x1, b0, a10);
                a20 = Vector512.FusedMultiplyAdd(x2, b0, a20);
                Vector512<double> b1 = Vector512.Create(Unsafe.Add(ref l0, 1));
                a01 = Vector512.FusedMultiplyAdd(x0, b1, a01);
                a11 = Vector512.FusedMultiplyAdd(x1, b1, a11);
                a21 = Vector512.FusedMultiplyAdd(x2, b1, a21);
                Vector512<double> b2 = Vector512.Create(Unsafe.Add(ref l0, 2));
                a02 = Vector512.FusedMultiplyAdd(x0, b2, a02);
                a12 = Vector512.FusedMultiplyAdd(x1, b2, a12);
                a22 = Vector512.FusedMultiplyAdd(x2, b2, a22);
                Vector512<double> b3 = Vector512.Create(Unsafe.Add(ref l0, 3));
                a03 = Vector512.FusedMultiplyAdd(x0, b3, a03);
                a13 = Vector512.FusedMultiplyAdd(x1, b3, a13);
                a23 = Vector512.FusedMultiplyAdd(x2, b3, a23);
                Vector512<double> b4 = Vector512.Create(Unsafe.Add(ref l0, 4));
                a04 = Vector512.FusedMultiplyAdd(x0, b4, a04);
                a14 = Vector512.FusedMultiplyAdd(x1, b4, a14);
                a24 = Vector512.FusedMultiplyAdd(x2, b4, a24);
                Vector512<double> b5 = Vector512.Create(Unsafe.Add(ref l0, 5));
                a05 = Vector512.FusedMultiplyAdd(x0, b5, a05);
                a15 = Vector512.FusedMultiplyAdd(x1, b5, a15);
                a25 = Vector512.FusedMultiplyAdd(x2, b5, a25);
                Vector512<double> b6 = Vector512.Create(Unsafe.Add(ref l0, 6));
                a06 = Vector512.FusedMultiplyAdd(x0, b6, a06);
                a16 = Vector512.FusedMultiplyAdd(x1, b6, a16);
                a26 = Vector512.FusedMultiplyAdd(x2, b6, a26);
                Vector512<double> b7 = Vector512.Create(Unsafe.Add(ref l0, 7));
                a07 = Vector512.FusedMultiplyAdd(x0, b7, a07);
                a17 = Vector512.FusedMultiplyAdd(x1, b7, a17);
                a27 = Vector512.FusedMultiplyAdd(x2, b7, a27);
                row = ref Unsafe.Add(ref row, stride);
                kept = ref Unsafe.Add(ref kept, keptStride);
            }

            Add512(ref g0, (lb + 0) * stride + jb + 0, a00);
            Add512(ref g0, (lb + 1) * stride + jb + 0, a01);
            Add512(ref g0, (lb + 2) * stride + jb + 0, a02);
            Add512(ref g0, (lb + 3) * stride + jb + 0, a03);
            Add512(ref g0, (lb + 4) * stride + jb + 0, a04);
            Add512(ref g0, (lb + 5) * stride + jb + 0, a05);
            Add512(ref g0, (lb + 6) * stride + jb + 0, a06);
            Add512(ref g0, (lb + 7) * stride + jb + 0, a07);
            Add512(ref g0, (lb + 0) * stride + jb + 8, a10);
            Add512(ref g0, (lb + 1) * stride + jb + 8, a11);
            Add512(ref g0, (lb + 2) * stride + jb + 8, a12);
            Add512(ref g0, (lb + 3) * stride + jb + 8, a13);
            Add512(ref g0, (lb + 4) * stride + jb + 8, a14);
            Add512(ref g0, (lb + 5) * stride + jb + 8, a15);
            Add512(ref g0, (lb + 6) * stride + jb + 8, a16);
            Add512(ref g0, (lb + 7) * stride + jb + 8, a17);
            Add512(ref g0, (lb + 0) * stride + jb + 16, a20);
            Add512(ref g0, (lb + 1) * stride + jb + 16, a21);
            Add512(ref g0, (lb + 2) * stride + jb + 16, a22);
            Add512(ref g0, (lb + 3) * stride + jb + 16, a23);
            Add512(ref g0, (lb + 4) * stride + jb + 16, a24);
            Add512(ref g0, (lb + 5) * stride + jb + 16, a25);
            Add512(ref g0, (lb + 6) * stride + jb + 16, a26);
            Add512(ref g0, (lb + 7) * stride + jb + 16, a27);
        }

        if (stride - jb == 16)
        {
            Tiles2<TW>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, jb, ref pf);
        }
        else if (stride - jb == 8)
        {
            // The last diagonal tile: only its real columns are broadcast (the padding's cells are left alone).
            int real = Math.Min(8, columns - lb);
            if (real <= 2) Tile1<TW, TwoBroadcasts>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, jb, ref pf);
            else if (real <= 4) Tile1<TW, FourBroadcasts>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, jb, ref pf);
            else if (real <= 6) Tile1<TW, SixBroadcasts>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, jb, ref pf);
            else Tile1<TW, EightBroadcasts>(ref u0, ref w0, ref g0, ref k0, rows, stride, lb, jb, ref pf);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tiles2<TW>(ref double u0, ref double w0, ref double g0, ref double k0, int rows, int stride, int lb, int jb, ref Ahead pf)
        where TW : struct, IWeighting
    {
        Vector512<double> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default, a06 = default, a07 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default, a16 = default, a17 = default;
        ref double row = ref u0;
        ref double kept = ref k0;
        int keptStride = stride - 8;
        for (int i = 0; i < rows; i++)
        {
            pf.Ask();
            Vector512<double> wi = TW.Reuses ? default : Vector512.Create(Unsafe.Add(ref w0, i));
            Vector512<double> x0 = Weighted<TW>(ref row, ref kept, jb, wi);
            Vector512<double> x1 = Weighted<TW>(ref row, ref kept, jb + 8, wi);
            ref double l0 = ref Unsafe.Add(ref row, lb);
            Vector512<double> b0 = Vector512.Create(Unsafe.Add(ref l0, 0));
            a00 = Vector512.FusedMultiplyAdd(x0, b0, a00);
            a10 = Vector512.FusedMultiplyAdd(x1, b0, a10);
            Vector512<double> b1 = Vector512.Create(Unsafe.Add(ref l0, 1));
            a01 = Vector512.FusedMultiplyAdd(x0, b1, a01);
            a11 = Vector512.FusedMultiplyAdd(x1, b1, a11);
            Vector512<double> b2 = Vector512.Create(Unsafe.Add(ref l0, 2));
            a02 = Vector512.FusedMultiplyAdd(x0, b2, a02);
            a12 = Vector512.FusedMultiplyAdd(x1, b2, a12);
            Vector512<double> b3 = Vector512.Create(Unsafe.Add(ref l0, 3));
            a03 = Vector512.FusedMultiplyAdd(x0, b3, a03);
            a13 = Vector512.FusedMultiplyAdd(x1, b3, a13);
            Vector512<double> b4 = Vector512.Create(Unsafe.Add(ref l0, 4));
            a04 = Vector512.FusedMultiplyAdd(x0, b4, a04);
            a14 = Vector512.FusedMultiplyAdd(x1, b4, a14);
            Vector512<double> b5 = Vector512.Create(Unsafe.Add(ref l0, 5));
            a05 = Vector512.FusedMultiplyAdd(x0, b5, a05);
            a15 = Vector512.FusedMultiplyAdd(x1, b5, a15);
            Vector512<double> b6 = Vector512.Create(Unsafe.Add(ref l0, 6));
            a06 = Vector512.FusedMultiplyAdd(x0, b6, a06);
            a16 = Vector512.FusedMultiplyAdd(x1, b6, a16);
            Vector512<double> b7 = Vector512.Create(Unsafe.Add(ref l0, 7));
            a07 = Vector512.FusedMultiplyAdd(x0, b7, a07);
            a17 = Vector512.FusedMultiplyAdd(x1, b7, a17);
            row = ref Unsafe.Add(ref row, stride);
            kept = ref Unsafe.Add(ref kept, keptStride);
        }

        Add512(ref g0, (lb + 0) * stride + jb + 0, a00);
        Add512(ref g0, (lb + 1) * stride + jb + 0, a01);
        Add512(ref g0, (lb + 2) * stride + jb + 0, a02);
        Add512(ref g0, (lb + 3) * stride + jb + 0, a03);
        Add512(ref g0, (lb + 4) * stride + jb + 0, a04);
        Add512(ref g0, (lb + 5) * stride + jb + 0, a05);
        Add512(ref g0, (lb + 6) * stride + jb + 0, a06);
        Add512(ref g0, (lb + 7) * stride + jb + 0, a07);
        Add512(ref g0, (lb + 0) * stride + jb + 8, a10);
        Add512(ref g0, (lb + 1) * stride + jb + 8, a11);
        Add512(ref g0, (lb + 2) * stride + jb + 8, a12);
        Add512(ref g0, (lb + 3) * stride + jb + 8, a13);
        Add512(ref g0, (lb + 4) * stride + jb + 8, a14);
        Add512(ref g0, (lb + 5) * stride + jb + 8, a15);
        Add512(ref g0, (lb + 6) * stride + jb + 8, a16);
        Add512(ref g0, (lb + 7) * stride + jb + 8, a17);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1<TW, TB>(ref double u0, ref double w0, ref double g0, ref double k0, int rows, int stride, int lb, int jb, ref Ahead pf)
        where TW : struct, IWeighting
        where TB : struct, IBroadcasts
    {
        Vector512<double> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default, a06 = default, a07 = default;
        ref double row = ref u0;
        ref double kept = ref k0;
        int keptStride = stride - 8;
        for (int i = 0; i < rows; i++)
        {
            pf.Ask();
            Vector512<double> wi = TW.Reuses ? default : Vector512.Create(Unsafe.Add(ref w0, i));
            Vector512<double> x0 = Weighted<TW>(ref row, ref kept, jb, wi);
            ref double l0 = ref Unsafe.Add(ref row, lb);
            a00 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 0)), a00);
            a01 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 1)), a01);
            if (TB.Count > 2)
            {
                a02 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 2)), a02);
                a03 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 3)), a03);
            }

            if (TB.Count > 4)
            {
                a04 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 4)), a04);
                a05 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 5)), a05);
            }

            if (TB.Count > 6)
            {
                a06 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 6)), a06);
                a07 = Vector512.FusedMultiplyAdd(x0, Vector512.Create(Unsafe.Add(ref l0, 7)), a07);
            }

            row = ref Unsafe.Add(ref row, stride);
            kept = ref Unsafe.Add(ref kept, keptStride);
        }

        Add512(ref g0, (lb + 0) * stride + jb, a00);
        Add512(ref g0, (lb + 1) * stride + jb, a01);
        if (TB.Count > 2)
        {
            Add512(ref g0, (lb + 2) * stride + jb, a02);
            Add512(ref g0, (lb + 3) * stride + jb, a03);
        }

        if (TB.Count > 4)
        {
            Add512(ref g0, (lb + 4) * stride + jb, a04);
            Add512(ref g0, (lb + 5) * stride + jb, a05);
        }

        if (TB.Count > 6)
        {
            Add512(ref g0, (lb + 6) * stride + jb, a06);
            Add512(ref g0, (lb + 7) * stride + jb, a07);
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
        // One bounds check for the whole block instead of two per row.
        if ((uint)column >= (uint)stride || (long)rows * stride > u.Length || values.Length < rows)
        {
            throw new ArgumentException($"A block of {rows} rows of stride {stride} has no column {column} for {values.Length} values in {u.Length} cells.", nameof(column));
        }

        ref double cell = ref Unsafe.Add(ref MemoryMarshal.GetReference(u), column);
        ref double v = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // The values were just stored as whole vectors: read them back the same way (a narrower load from a wider
            // store that has not reached the cache yet waits for it) and store their lanes one by one.
            for (; i + 8 <= rows; i += 8)
            {
                Vector512<double> z = Vector512.LoadUnsafe(ref v, (nuint)i);
                ref double c = ref Unsafe.Add(ref cell, (nint)i * stride);
                c = z.GetElement(0);
                Unsafe.Add(ref c, stride) = z.GetElement(1);
                Unsafe.Add(ref c, 2 * stride) = z.GetElement(2);
                Unsafe.Add(ref c, 3 * stride) = z.GetElement(3);
                Unsafe.Add(ref c, 4 * stride) = z.GetElement(4);
                Unsafe.Add(ref c, 5 * stride) = z.GetElement(5);
                Unsafe.Add(ref c, 6 * stride) = z.GetElement(6);
                Unsafe.Add(ref c, 7 * stride) = z.GetElement(7);
            }
        }

        for (; i < rows; i++) Unsafe.Add(ref cell, (nint)i * stride) = Unsafe.Add(ref v, i);
    }

    /// <summary>True when every value of the block is finite (x * 0 is NaN exactly for NaN and infinities).</summary>
    public static bool AllFinite(ReadOnlySpan<double> u) => Kernels.VectorMath.Use512 ? AllFinite<Kernels.Vec512D>(u) : AllFinite<Kernels.VecD>(u);

    /// <summary><see cref="AllFinite(ReadOnlySpan{double})"/> on one vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool AllFinite<TV>(ReadOnlySpan<double> u) where TV : struct, Kernels.ISimd<TV, double>
    {
        int vw = TV.Count, i = 0;
        TV acc = TV.Create(0), zero = TV.Create(0);
        ref double r = ref MemoryMarshal.GetReference(u);
        for (; i <= u.Length - vw; i += vw) acc += TV.Load(ref r, (nuint)i) * zero;
        double s = TV.Sum(acc);
        for (; i < u.Length; i++) s += u[i] * 0.0;
        return s == 0;
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NNLinearity.Numerics;

/// <summary>
/// A view of the caller's predictor matrix (n x k, any row and column stride: row-major arrays and spans, or
/// MathNet's column-major storage) plus an optional leading intercept column. The memory must stay pinned while the
/// view is used; fitting code reads it block by block and never copies it whole.
/// </summary>
internal readonly unsafe struct DesignSource
{
    private readonly double* _x;
    private readonly long _rowStride;
    private readonly long _colStride;

    public DesignSource(double* x, int n, int k, long rowStride, long colStride, bool intercept)
    {
        _x = x;
        N = n;
        K = k;
        _rowStride = rowStride;
        _colStride = colStride;
        Intercept = intercept;
    }

    public int N { get; }

    /// <summary>The most rows whose check without beta goes through the shaped loader (their sums are kept on the stack).</summary>
    private const int MaxShapedCheckRows = 256;

    /// <summary>How far ahead of the row being loaded <see cref="LoadRowsPredict"/> asks the cache for rows.</summary>
    private const long PrefetchBytes = 40 * 1024;

    public int K { get; }

    public bool Intercept { get; }

    public int P => K + (Intercept ? 1 : 0);

    /// <summary>Element (i, j) of the design including the intercept column.</summary>
    public double this[int i, int j] => Intercept ? (j == 0 ? 1.0 : _x[i * _rowStride + (j - 1) * _colStride]) : _x[i * _rowStride + j * _colStride];

    /// <summary>
    /// The block column of design column <paramref name="designColumn"/> in the intercept-last block order of
    /// <see cref="LoadRowsPredict"/>: the predictors take columns 0..K-1 and the intercept column K.
    /// </summary>
    public int BlockColumn(int designColumn) => BlockColumn(designColumn, K, Intercept);

    /// <summary><see cref="BlockColumn(int)"/> for a design of <paramref name="k"/> predictors, with or without an intercept.</summary>
    public static int BlockColumn(int designColumn, int k, bool intercept) => intercept ? (designColumn == 0 ? k : designColumn - 1) : designColumn;

    /// <summary>beta (the design's order) into <paramref name="betaBlock"/> in the block order, zeros elsewhere.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // cold or once per chunk: kept out of the per-block loops that call it
    public static void ToBlockOrder(ReadOnlySpan<double> beta, Span<double> betaBlock, int k, bool intercept)
    {
        betaBlock.Clear();
        for (int j = 0; j < beta.Length; j++) betaBlock[BlockColumn(j, k, intercept)] = beta[j];
    }

    /// <summary>
    /// The triangle of a Gram of [design z] accumulated over blocks in the block order (stored transposed, entry (j, l),
    /// j &gt;= l, at [l * stride + j]) into the design's order in <paramref name="gram"/>, the same layout; z stays last.
    /// </summary>
    public static void GramToDesignOrder(ReadOnlySpan<double> block, Span<double> gram, int stride, int k, bool intercept)
    {
        int p = k + (intercept ? 1 : 0);
        for (int l = 0; l <= p; l++)
        {
            int bl = l == p ? p : BlockColumn(l, k, intercept);
            for (int j = l; j <= p; j++)
            {
                int bj = j == p ? p : BlockColumn(j, k, intercept);
                gram[l * stride + j] = block[Math.Min(bl, bj) * stride + Math.Max(bl, bj)];
            }
        }
    }

    /// <summary>
    /// Writes rows [r0, r0 + rows) row-major into <paramref name="u"/> in the intercept-last order (row i at i * stride:
    /// the k predictors, then 1 when the design has an intercept, then zeros to the end of the row) and, when
    /// <paramref name="betaBlock"/> is given in the same order (zeros beyond the design's columns), the linear
    /// predictor eta[i] = offset[i] + sum_j u[i, j] betaBlock[j] of the rows just loaded, while they are in registers.
    /// Returns false when the rows may hold a NaN or infinite predictor: exactly so without beta; with beta, when an
    /// eta is not finite (a non-finite predictor always makes it so, as 0 x Inf is NaN). <see cref="ThrowIfNotFinite"/>
    /// then names the cell.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool LoadRowsPredict(int r0, int rows, Span<double> u, int stride, ReadOnlySpan<double> betaBlock, ReadOnlySpan<double> offset, Span<double> eta, bool askAhead = true)
    {
        if (PrefetchesWhileLoading(stride))
        {
            bool loadedFinite = LoadPredict512(r0, rows, u, stride, betaBlock, offset, eta, askAhead);
            return betaBlock.IsEmpty ? loadedFinite : WeightedGram.AllFinite(eta[..rows]);
        }

        u[..(rows * stride)].Clear();
        for (int j = 0; j < K; j++)
        {
            double* col = _x + j * _colStride + r0 * _rowStride;
            for (int i = 0; i < rows; i++) u[i * stride + j] = col[i * _rowStride];
        }

        if (Intercept)
        {
            for (int i = 0; i < rows; i++) u[i * stride + K] = 1.0;
        }

        if (betaBlock.IsEmpty) return WeightedGram.AllFinite(u[..(rows * stride)]);
        WeightedGram.LinearPredictor(u, rows, stride, betaBlock, offset, eta);
        return WeightedGram.AllFinite(eta[..rows]);
    }

    /// <summary>
    /// True when <see cref="LoadRowsPredict"/> takes its AVX-512 path for this block stride, which asks for the rows
    /// ahead itself (so the caller need not <see cref="Prefetch"/>).
    /// </summary>
    public bool PrefetchesWhileLoading(int stride) => _colStride == 1 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated && stride % 8 == 0;

    /// <summary>
    /// The AVX-512 form of <see cref="LoadRowsPredict"/> for rows stored contiguously: each row is read as whole
    /// 512-bit vectors (the last one a masked load that supplies the intercept and zeros), stored, and multiplied by
    /// beta in the same registers; eight rows' partial sums are then reduced together by a transpose of adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LoadPredict512(int r0, int rows, Span<double> u, int stride, ReadOnlySpan<double> betaBlock, ReadOnlySpan<double> offset, Span<double> eta, bool askAhead)
    {
        int vectors = stride / 8, full = K / 8, rem = K - 8 * full;
        var lane = Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
        Vector512<double> mask = Vector512.LessThan(lane, Vector512.Create((double)rem));
        Vector512<double> tail = Intercept ? Vector512.ConditionalSelect(Vector512.Equals(lane, Vector512.Create((double)rem)), Vector512<double>.One, Vector512<double>.Zero) : Vector512<double>.Zero;
        bool predict = !betaBlock.IsEmpty;
        // Each row asks for the row PrefetchBytes ahead: the memory stream keeps going while the block's arithmetic runs.
        long aheadRows = askAhead ? Math.Max(1, PrefetchBytes / Math.Max(1, _rowStride * sizeof(double))) : 0;
        ref double b0 = ref MemoryMarshal.GetReference(betaBlock);
        Vector512<double> finite = Vector512<double>.Zero;
        fixed (double* u0 = u)
        {
            int i = 0;
            if (predict && full <= 3)
            {
                i = LoadPredictShaped(full, r0, rows, u0, stride, ref b0, offset, eta, mask, tail, askAhead);
            }
            else if (full <= 3 && rows <= MaxShapedCheckRows)
            {
                // Without beta (the first pass) the shaped loader with beta = 0 sums each row's products with zero: NaN
                // exactly when a value of the row is NaN or infinite.
                double* zeros = stackalloc double[32];
                new Span<double>(zeros, 32).Clear();
                Span<double> sums = stackalloc double[rows];
                i = LoadPredictShaped(full, r0, rows, u0, stride, ref *zeros, default, sums, mask, tail, askAhead);
                if (!WeightedGram.AllFinite(sums[..i])) finite = Vector512.Create(double.NaN);
            }
            else if (predict)
            {
                i = LoadPredictWide(r0, rows, u0, stride, full, vectors, mask, tail, ref b0, aheadRows, offset, eta);
            }

            // Without beta the rows' products with zero are summed instead: NaN exactly when a value is NaN or infinite.
            for (; i < rows; i++)
            {
                Vector512<double> s = Row(r0 + i, u0 + i * stride, full, vectors, mask, tail, ref b0, aheadRows, predict);
                if (predict) eta[i] = (offset.IsEmpty ? 0.0 : offset[i]) + Vector512.Sum(s);
                else finite += s;
            }
        }

        return predict || Vector512.Sum(finite) == 0;
    }

    /// <summary>
    /// The predicting loader for designs of 32 predictors or more, eight rows at a time (returns how many rows it
    /// loaded). A method of its own, so that narrower designs, which the shaped loader takes, never compile it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private int LoadPredictWide(int r0, int rows, double* u0, int stride, int full, int vectors, Vector512<double> mask, Vector512<double> tail,
        ref double b0, long aheadRows, ReadOnlySpan<double> offset, Span<double> eta)
    {
        // Eight rows' partial sums go through a small stack buffer: one inlined copy of Row instead of eight keeps the
        // method quick to compile (a one-shot script pays for it) at no measurable cost.
        Vector512<double>* s = stackalloc Vector512<double>[8];
        int i = 0;
        for (; i + 8 <= rows; i += 8)
        {
            for (int k = 0; k < 8; k++) s[k] = Row(r0 + i + k, u0 + (i + k) * stride, full, vectors, mask, tail, ref b0, aheadRows);
            Vector512<double> sums = SumEach(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
            if (!offset.IsEmpty) sums += Vector512.Create(offset.Slice(i, 8));
            sums.CopyTo(eta.Slice(i, 8));
        }

        return i;
    }

    /// <summary>The number of whole 512-bit vectors in a design row, as a type: the shaped loader is compiled once per count used.</summary>
    private interface IWholeVectors
    {
        static abstract int Count { get; }
    }

    private struct NoWholeVector : IWholeVectors
    {
        public static int Count => 0;
    }

    private struct OneWholeVector : IWholeVectors
    {
        public static int Count => 1;
    }

    private struct TwoWholeVectors : IWholeVectors
    {
        public static int Count => 2;
    }

    private struct ThreeWholeVectors : IWholeVectors
    {
        public static int Count => 3;
    }

    /// <summary>The shaped loader for <paramref name="full"/> (0 to 3) whole vectors a row.</summary>
    private int LoadPredictShaped(int full, int r0, int rows, double* u0, int stride, ref double beta, ReadOnlySpan<double> offset, Span<double> eta,
        Vector512<double> mask, Vector512<double> tail, bool askAhead) => full switch
        {
            0 => LoadPredictShaped<NoWholeVector>(_x, _rowStride, N, K, r0, rows, u0, stride, ref beta, offset, eta, mask, tail, askAhead),
            1 => LoadPredictShaped<OneWholeVector>(_x, _rowStride, N, K, r0, rows, u0, stride, ref beta, offset, eta, mask, tail, askAhead),
            2 => LoadPredictShaped<TwoWholeVectors>(_x, _rowStride, N, K, r0, rows, u0, stride, ref beta, offset, eta, mask, tail, askAhead),
            _ => LoadPredictShaped<ThreeWholeVectors>(_x, _rowStride, N, K, r0, rows, u0, stride, ref beta, offset, eta, mask, tail, askAhead),
        };

    /// <summary>
    /// The predicting loader for designs of fewer than 32 predictors, eight rows at a time with beta held in registers
    /// and the row code unrolled for <typeparamref name="TWhole"/> whole vectors (the same operations in the same order
    /// as <see cref="Row"/>, so the same bits). Returns how many rows it loaded (a multiple of 8); the caller loads the rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int LoadPredictShaped<TWhole>(double* x, long rs, int n, int k, int r0, int rows, double* u0, int stride, ref double beta, ReadOnlySpan<double> offset, Span<double> eta,
        Vector512<double> mask, Vector512<double> tail, bool askAhead) where TWhole : struct, IWholeVectors
    {
        int full = TWhole.Count, vectors = stride / 8;
        Vector512<double> b0 = full > 0 ? Vector512.LoadUnsafe(ref beta) : default;
        Vector512<double> b1 = full > 1 ? Vector512.LoadUnsafe(ref beta, 8) : default;
        Vector512<double> b2 = full > 2 ? Vector512.LoadUnsafe(ref beta, 16) : default;
        Vector512<double> bl = Vector512.LoadUnsafe(ref beta, (nuint)(8 * full));
        long aheadRows = Math.Max(8, PrefetchBytes / Math.Max(1, rs * sizeof(double)));
        int i = 0;
        for (; i + 8 <= rows; i += 8)
        {
            double* src = x + (r0 + i) * rs;
            double* dst = u0 + i * stride;
            if (askAhead && r0 + i + aheadRows + 8 <= n)
            {
                // The eight rows PrefetchBytes ahead, line by line: the memory stream keeps going while the block's arithmetic runs.
                byte* a = (byte*)(src + aheadRows * rs), end = (byte*)(src + (aheadRows + 7) * rs + k);
                for (; a < end + 63; a += 64) Sse.Prefetch0(a);
            }

            Vector512<double> s0 = ShapedRow<TWhole>(src, dst, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> s1 = ShapedRow<TWhole>(src + rs, dst + stride, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> s2 = ShapedRow<TWhole>(src + 2 * rs, dst + 2 * stride, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> s3 = ShapedRow<TWhole>(src + 3 * rs, dst + 3 * stride, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> s4 = ShapedRow<TWhole>(src + 4 * rs, dst + 4 * stride, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> s5 = ShapedRow<TWhole>(src + 5 * rs, dst + 5 * stride, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> s6 = ShapedRow<TWhole>(src + 6 * rs, dst + 6 * stride, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> s7 = ShapedRow<TWhole>(src + 7 * rs, dst + 7 * stride, vectors, mask, tail, b0, b1, b2, bl);
            Vector512<double> sums = SumEach(s0, s1, s2, s3, s4, s5, s6, s7);
            if (!offset.IsEmpty) sums += Vector512.Create(offset.Slice(i, 8));
            sums.CopyTo(eta.Slice(i, 8));
        }

        return i;
    }

    /// <summary><see cref="Row"/> for <typeparamref name="TWhole"/> whole vectors, beta in registers, without asking ahead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ShapedRow<TWhole>(double* src, double* dst, int vectors, Vector512<double> mask, Vector512<double> tail,
        Vector512<double> b0, Vector512<double> b1, Vector512<double> b2, Vector512<double> bl) where TWhole : struct, IWholeVectors
    {
        Vector512<double> acc = Vector512<double>.Zero;
        if (TWhole.Count > 0)
        {
            Vector512<double> x0 = Vector512.Load(src);
            x0.StoreUnsafe(ref *dst);
            acc = Vector512.FusedMultiplyAdd(x0, b0, acc);
        }

        if (TWhole.Count > 1)
        {
            Vector512<double> x1 = Vector512.Load(src + 8);
            x1.StoreUnsafe(ref *dst, 8);
            acc = Vector512.FusedMultiplyAdd(x1, b1, acc);
        }

        if (TWhole.Count > 2)
        {
            Vector512<double> x2 = Vector512.Load(src + 16);
            x2.StoreUnsafe(ref *dst, 16);
            acc = Vector512.FusedMultiplyAdd(x2, b2, acc);
        }

        Vector512<double> last = Avx512F.MaskLoad(src + 8 * TWhole.Count, mask, tail);
        last.StoreUnsafe(ref *dst, (nuint)(8 * TWhole.Count));
        acc = Vector512.FusedMultiplyAdd(last, bl, acc);
        for (int v = TWhole.Count + 1; v < vectors; v++) Vector512<double>.Zero.StoreUnsafe(ref *dst, (nuint)(8 * v));
        return acc;
    }

    /// <summary>
    /// Copies design row <paramref name="r"/> into <paramref name="dst"/> and returns its lane-wise products with beta
    /// (with zero when not predicting).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<double> Row(int r, double* dst, int full, int vectors, Vector512<double> mask, Vector512<double> tail, ref double beta, long aheadRows, bool predict = true)
    {
        double* src = _x + r * _rowStride;
        if (aheadRows > 0 && r + aheadRows < N)
        {
            byte* ahead = (byte*)(src + aheadRows * _rowStride);
            for (int line = 0; line < K * sizeof(double) + 63; line += 64) Sse.Prefetch0(ahead + line); // the lines of the row, however it straddles them
        }

        Vector512<double> acc = Vector512<double>.Zero;
        int v = 0;
        for (; v < full; v++)
        {
            Vector512<double> x = Vector512.Load(src + 8 * v);
            x.Store(dst + 8 * v);
            acc = predict ? Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref beta, (nuint)(8 * v)), acc) : Vector512.FusedMultiplyAdd(x, Vector512<double>.Zero, acc);
        }

        Vector512<double> last = Avx512F.MaskLoad(src + 8 * v, mask, tail);
        last.Store(dst + 8 * v);
        acc = predict ? Vector512.FusedMultiplyAdd(last, Vector512.LoadUnsafe(ref beta, (nuint)(8 * v)), acc) : Vector512.FusedMultiplyAdd(last, Vector512<double>.Zero, acc);
        for (v++; v < vectors; v++) Vector512<double>.Zero.Store(dst + 8 * v);
        return acc;
    }

    /// <summary>The lane sums of eight vectors, as one vector (element r the sum of <c>s_r</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> SumEach(Vector512<double> s0, Vector512<double> s1, Vector512<double> s2, Vector512<double> s3,
        Vector512<double> s4, Vector512<double> s5, Vector512<double> s6, Vector512<double> s7)
    {
        // Pairs of adjacent lanes: each 128-bit lane of t01 holds (s0, s1) partial sums, and so on.
        Vector512<double> t01 = Avx512F.UnpackLow(s0, s1) + Avx512F.UnpackHigh(s0, s1);
        Vector512<double> t23 = Avx512F.UnpackLow(s2, s3) + Avx512F.UnpackHigh(s2, s3);
        Vector512<double> t45 = Avx512F.UnpackLow(s4, s5) + Avx512F.UnpackHigh(s4, s5);
        Vector512<double> t67 = Avx512F.UnpackLow(s6, s7) + Avx512F.UnpackHigh(s6, s7);
        // 128-bit lanes 0 and 2 against 1 and 3: (s0, s1) over lanes 0-3 and 4-7, then (s2, s3) likewise.
        Vector512<double> q03 = Avx512F.Shuffle4x128(t01, t23, 0x88) + Avx512F.Shuffle4x128(t01, t23, 0xDD);
        Vector512<double> q47 = Avx512F.Shuffle4x128(t45, t67, 0x88) + Avx512F.Shuffle4x128(t45, t67, 0xDD);
        return Avx512F.Shuffle4x128(q03, q47, 0x88) + Avx512F.Shuffle4x128(q03, q47, 0xDD);
    }

    /// <summary>Throws, naming the first offending cell, when rows [r0, r0 + rows) hold a NaN or infinite predictor.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // cold or once per chunk: kept out of the per-block loops that call it
    public void ThrowIfNotFinite(ReadOnlySpan<double> loaded, int r0, int rows, int stride)
    {
        if (!WeightedGram.AllFinite(loaded[..(rows * stride)]))
        {
            for (int i = 0; i < rows; i++) ThrowNonFinite(r0 + i);
        }
    }

    /// <summary>
    /// The cache lines of rows [r0, r0 + rows) when the source's rows are stored contiguously (a row-major array):
    /// the first line's address and the count; none otherwise.
    /// </summary>
    public (IntPtr Start, int Lines) RowLines(int r0, int rows)
    {
        if (_colStride != 1 || rows <= 0) return (IntPtr.Zero, 0);
        nuint start = (nuint)(_x + r0 * _rowStride) & ~(nuint)63, end = (nuint)(_x + ((r0 + rows - 1) * _rowStride + K));
        return ((IntPtr)start, (int)((end - start + 63) / 64));
    }

    /// <summary>Asks the cache to fetch rows [r0, r0 + rows) of a contiguous row-major source (a no-op otherwise).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // at most once per block of 128 rows: the call costs nothing measurable, and the pass's loop stays small
    public void Prefetch(int r0, int rows)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || _colStride != 1 || _rowStride != K) return;
        byte* start = (byte*)(_x + r0 * _rowStride), end = (byte*)(_x + (r0 + rows) * _rowStride);
        for (byte* a = start; a < end; a += 64) System.Runtime.Intrinsics.X86.Sse.Prefetch0(a);
    }

    private void ThrowNonFinite(int i)
    {
        for (int j = 0; j < K; j++) ThrowIfNonFinite(i, j);
    }

    private void ThrowIfNonFinite(int i, int j)
    {
        double v = _x[i * _rowStride + j * _colStride];
        if (!double.IsFinite(v))
        {
#pragma warning disable CA2208 // the public argument being described is the caller's x
            throw new ArgumentException($"x[{i}, {j}] is {v.ToString(CultureInfo.InvariantCulture)}: every predictor must be finite.", "x");
#pragma warning restore CA2208
        }
    }
}

using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace NNLinearity.Kernels;

/// <summary>
/// The three products of a dense layer, BLIS-style: a register-blocked micro-kernel of <see cref="MR{T}"/> rows by
/// <see cref="NR{T}"/> columns (see <see cref="GemmTile"/> for the tile each machine gets), <see cref="KC{T}"/>
/// blocking of the inner dimension, <see cref="MC{T}"/> blocking of the rows, and packed weight panels.
/// </summary>
/// <remarks>
/// Every output element is one fused multiply-add chain over the inner dimension in ascending order, started from its
/// initial value (zero, the bias, or the accumulator) and stored once per KC block. Edge tiles run the same chain, and
/// threads split only whole tiles, so results are bit-identical for every thread count and every tile.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>The environment variable that overrides the tile: <c>vector2</c>, <c>vector4</c> or <c>vector512</c>.</summary>
    public const string TileVariable = "NNLINEARITY_GEMM_TILE";

    /// <summary>
    /// The tile of this process: the one named by <see cref="TileVariable"/> when this machine can run it, else
    /// <see cref="GemmTile.Vector512"/> where 512-bit vectors are accelerated, <see cref="GemmTile.Vector4"/> where
    /// there are 32 vector registers (Arm64, or x64 with AVX-512 but 512-bit vectors not preferred), else
    /// <see cref="GemmTile.Vector2"/>. Fixed for the process: packed weights depend on it.
    /// </summary>
    public static readonly GemmTile Tile = ChooseTile(Environment.GetEnvironmentVariable(TileVariable));

    /// <summary>The tile for an override value (null or unknown: the machine's default).</summary>
    public static GemmTile ChooseTile(string? requested) => requested?.Trim().ToLowerInvariant() switch
    {
        "vector2" => GemmTile.Vector2,
        "vector4" => GemmTile.Vector4,
        "vector512" when VectorMath.Use512 => GemmTile.Vector512,
        _ => VectorMath.Use512 ? GemmTile.Vector512
            : Avx512F.IsSupported || AdvSimd.Arm64.IsSupported ? GemmTile.Vector4
            : GemmTile.Vector2,
    };

    /// <summary>Rows per micro-tile: 8 for floats on the <see cref="GemmTile.Vector4"/> tile, else 6.</summary>
    public static int MR<T>() where T : unmanaged => Tile == GemmTile.Vector4 && typeof(T) == typeof(float) ? 8 : 6;

    /// <summary>
    /// Columns per micro-tile: four 512-bit vectors, three (float) or four (double) vectors of <see cref="Vector{T}"/>,
    /// or two vectors of <see cref="Vector{T}"/>, by <see cref="Tile"/>.
    /// </summary>
    public static int NR<T>() where T : unmanaged => Tile switch
    {
        GemmTile.Vector512 => 4 * Vector512<T>.Count,
        GemmTile.Vector4 => (typeof(T) == typeof(float) ? 3 : 4) * Vector<T>.Count,
        _ => 2 * Vector<T>.Count,
    };

    /// <summary>
    /// Inner-dimension block: 256 (BLIS zen3) for the 2-vector tile; 512 for the 512-bit tile (its B micro-panel then
    /// streams from L2; 128, which keeps it in L1, measured slower); 640 float and 240 double (BLIS armv8a) for the
    /// 4-vector tile.
    /// </summary>
    public static int KC<T>() where T : unmanaged => Tile switch
    {
        GemmTile.Vector512 => 512,
        GemmTile.Vector4 => typeof(T) == typeof(float) ? 640 : 240,
        _ => 256,
    };

    /// <summary>Rows per L2 block of the activation operand: 144 float and 72 double (BLIS zen3), 120 on the 4-vector tile (BLIS armv8a).</summary>
    public static int MC<T>() where T : unmanaged => Tile == GemmTile.Vector4 ? 120 : typeof(T) == typeof(float) ? 144 : 72;

    /// <summary>Below this many flops a product runs on the calling thread.</summary>
    public const double ParallelThresholdFlops = 2e6;

    /// <summary>Length of the packed W^T panels for an [n, k] weight matrix.</summary>
    public static int PackedLength<T>(int n, int k) where T : unmanaged => (n + NR<T>() - 1) / NR<T>() * NR<T>() * k;

    /// <summary>
    /// Packs W [n, k] (row-major) into column panels of W^T: panel q holds, for each p, the NR values W[q NR + j, p],
    /// zero past n.
    /// </summary>
    public static void PackTransposed<T>(ReadOnlySpan<T> w, int n, int k, Span<T> packed) where T : unmanaged
    {
        int nr = NR<T>();
        int panels = (n + nr - 1) / nr;
        if (packed.Length < panels * nr * k) throw new ArgumentException($"packed has {packed.Length} values; {panels * nr * k} are needed.", nameof(packed));
        if (w.Length < n * k) throw new ArgumentException($"w has {w.Length} values; {n * k} are needed.", nameof(w));
        if (n == 0 || k == 0) return;
        fixed (T* pw = w, pp = packed)
        {
            for (int q = 0; q < panels; q++) PackSlice(pw, n, k, q, 0, k, pp + (nint)q * nr * k);
        }
    }

    /// <summary>Z [m, n] = X [m, k] W^T + b, with W^T packed by <see cref="PackTransposed"/>.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, int m, int k, ReadOnlySpan<T> packedWt, ReadOnlySpan<T> bias, int n, Span<T> z, int threads)
        where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++) bias[..n].CopyTo(z.Slice(i * n, n));
            return;
        }

        int panels = (n + NR<T>() - 1) / NR<T>();
        fixed (T* px = x, pw = packedWt, pb = bias, pz = z)
        {
            var job = new Job<T>(px, pw, pb, pz, m, n, k);
            int chunks = Chunks(panels, 2.0 * m * n * k, threads);
            if (chunks <= 1) ForwardRange(job, 0, panels);
            else RunParallel(job, panels, chunks, 0);
        }
    }

    /// <summary>
    /// Z [m, n] = X [m, k] W^T + b for a W [n, k] not packed yet: each thread packs the panels it multiplies just
    /// before multiplying them (so the packing is spread over the threads), into <paramref name="packedWt"/>, which then holds <see cref="PackTransposed"/>'s layout for later calls. The
    /// result is <see cref="Forward"/>'s, bit for bit.
    /// </summary>
    public static void ForwardPacking<T>(ReadOnlySpan<T> x, int m, int k, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int n, Span<T> z, Span<T> packedWt, int threads)
        where T : unmanaged
    {
        if (n == 0) return;
        if (m == 0 || k == 0)
        {
            PackTransposed(w, n, k, packedWt);
            Forward(x, m, k, packedWt, bias, n, z, threads);
            return;
        }

        int panels = (n + NR<T>() - 1) / NR<T>();
        if (packedWt.Length < panels * NR<T>() * k) throw new ArgumentException($"packedWt has {packedWt.Length} values; {panels * NR<T>() * k} are needed.", nameof(packedWt));
        fixed (T* px = x, pw = packedWt, pb = bias, pz = z, praw = w)
        {
            var job = new Job<T>(px, pw, pb, pz, m, n, k, praw);
            int chunks = Chunks(panels, 2.0 * m * n * k, threads);
            if (chunks <= 1) ForwardRange(job, 0, panels);
            else RunParallel(job, panels, chunks, 0);
        }
    }

    /// <summary>
    /// Packs the slice [pc, pc + kc) of panel q of W^T (zero past n): square blocks of the panel's rows of W are
    /// transposed in registers (<see cref="Transpose"/>), the rest (a partial panel, the slice's last columns when kc
    /// is not a multiple of the block) copied element by element. Values only move, so every path packs the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackSlice<T>(T* w, int n, int k, int q, int pc, int kc, T* panel) where T : unmanaged
    {
        int nr = NR<T>(), cols = Math.Min(nr, n - q * nr), block = Transpose.Block<T>();
        T* dst = panel + (nint)pc * nr;
        T* src = w + (nint)q * nr * k + pc;
        int p = 0;
        if (cols == nr && block > 0 && nr % block == 0)
        {
            for (; p <= kc - block; p += block)
            {
                for (int j = 0; j < nr; j += block) Transpose.Square(src + (nint)j * k + p, k, dst + (nint)p * nr + j, nr);
            }
        }

        if (p == kc) return;
        if (cols < nr) new Span<T>(dst + (nint)p * nr, (kc - p) * nr).Clear();
        for (int j = 0; j < cols; j++)
        {
            T* row = src + (nint)j * k;
            for (int pp = p; pp < kc; pp++) dst[pp * nr + j] = row[pp];
        }
    }

    /// <summary>
    /// dX [m, k] = dZ [m, n] W [n, k], times <paramref name="scale"/> [m, k] elementwise when one is given (the chain
    /// rule through the previous layer's inverse link: each finished tile is scaled while it is in cache, which gives
    /// the bits of scaling the product afterwards).
    /// </summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> dz, int m, int n, ReadOnlySpan<T> w, int k, Span<T> dx, int threads, ReadOnlySpan<T> scale = default) where T : unmanaged
    {
        if (m == 0 || k == 0) return;
        if (!scale.IsEmpty && scale.Length < m * k) throw new ArgumentException($"scale has {scale.Length} values; {m * k} are needed.", nameof(scale));
        if (n == 0)
        {
            dx[..(m * k)].Clear();
            if (!scale.IsEmpty)
            {
                fixed (T* pdx = dx, ps = scale) ScaleTile(pdx, k, ps, m, k);
            }

            return;
        }

        int panels = (k + NR<T>() - 1) / NR<T>();
        fixed (T* pdz = dz, pw = w, pdx = dx, ps = scale)
        {
            var job = new Job<T>(pdz, pw, null, pdx, m, n, k, scale: scale.IsEmpty ? null : ps);
            int chunks = Chunks(panels, 2.0 * m * n * k, threads);
            if (chunks <= 1) BackwardInputRange(job, 0, panels);
            else RunParallel(job, panels, chunks, 1);
        }
    }

    /// <summary>dW [n, k] += dZ^T X, with dZ [m, n] and X [m, k].</summary>
    public static void AccumulateWeightGradient<T>(ReadOnlySpan<T> dz, int m, int n, ReadOnlySpan<T> x, int k, Span<T> dw, int threads) where T : unmanaged =>
        WeightGradient(dz, m, n, x, k, dw, threads, accumulate: true);

    /// <summary>
    /// dW [n, k] = dZ^T X (<paramref name="accumulate"/> false: dW's old values are not read, and the sums start from
    /// +0 as they would in a cleared dW, so the bits are those of clearing it and accumulating) or dW += dZ^T X; with
    /// <paramref name="columnSums"/> [n], also the bias gradient, dZ's column sums, written or added likewise: each
    /// thread sums the columns of the rows of dW it computes (in row order, <see cref="AccumulateColumnSums{T}"/>'s bits).
    /// </summary>
    public static void WeightGradient<T>(ReadOnlySpan<T> dz, int m, int n, ReadOnlySpan<T> x, int k, Span<T> dw, int threads, bool accumulate, Span<T> columnSums = default)
        where T : unmanaged
    {
        if (n == 0) return;
        if (dw.Length < n * k) throw new ArgumentException($"dw has {dw.Length} values; {n * k} are needed.", nameof(dw));
        bool sums = !columnSums.IsEmpty;
        if (sums && columnSums.Length < n) throw new ArgumentException($"columnSums has {columnSums.Length} values; {n} are needed.", nameof(columnSums));
        if (sums && dz.Length < m * n) throw new ArgumentException($"dz has {dz.Length} values; {m * n} are needed.", nameof(dz));
        fixed (T* pdz = dz, px = x, pdw = dw, pdb = columnSums)
        {
            if (m == 0 || k == 0)
            {
                if (!accumulate) dw[..(n * k)].Clear();
                if (sums) ColumnSumRange(pdz, m, n, pdb, 0, n, accumulate);
                return;
            }

            int tiles = (n + MR<T>() - 1) / MR<T>();
            var job = new Job<T>(pdz, px, sums ? pdb : null, pdw, m, n, k, overwrite: !accumulate);
            int chunks = Chunks(tiles, 2.0 * m * n * k, threads);
            if (chunks <= 1) WeightGradientRange(job, 0, tiles);
            else RunParallel(job, tiles, chunks, 2);
        }
    }

    /// <summary>db[j] = (or +=) the sum over rows i in order of dz[i n + j], for j in [j0, j1).</summary>
    private static void ColumnSumRange<T>(T* dz, int m, int n, T* db, int j0, int j1, bool accumulate) where T : unmanaged
    {
        if (!accumulate) new Span<T>(db + j0, j1 - j0).Clear();
        int vw = Vector<T>.Count;
        for (int i = 0; i < m; i++)
        {
            T* row = dz + (nint)i * n;
            int j = j0;
            for (; j <= j1 - vw; j += vw) Vector.Store(Vector.Load(db + j) + Vector.Load(row + j), db + j);
            for (; j < j1; j++)
            {
                if (typeof(T) == typeof(float)) *(float*)(db + j) += *(float*)(row + j);
                else if (typeof(T) == typeof(double)) *(double*)(db + j) += *(double*)(row + j);
                else throw new NotSupportedException($"GEMM supports float and double, not {typeof(T).Name}.");
            }
        }
    }

    /// <summary>The operands of one product (pointers stay pinned by the caller for its duration).</summary>
    private readonly struct Job<T>(T* a, T* b, T* bias, T* c, int m, int n, int k, T* w = null, T* scale = null, bool overwrite = false) where T : unmanaged
    {
        public readonly T* A = a, B = b, Bias = bias, C = c;

        /// <summary>For the weight gradient: C's first inner block starts from zero instead of C's values.</summary>
        public readonly bool Overwrite = overwrite;

        /// <summary>When not null, W [n, k] row-major: each worker packs its own panels of B from it as it first uses them.</summary>
        public readonly T* W = w;

        /// <summary>When not null, a multiplier of C's layout applied to each tile once its sum is complete.</summary>
        public readonly T* Scale = scale;
        public readonly int M = m, N = n, K = k;
    }

    private static int Chunks(int items, double flops, int threads)
    {
        int chunks = Math.Min(items, threads <= 0 ? Environment.ProcessorCount : threads);
        return flops < ParallelThresholdFlops ? 1 : chunks;
    }

    /// <summary>
    /// Splits the items into contiguous chunks, one per thread: on the <see cref="KernelTeam"/> when it is free, else
    /// through <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> (which allocates). The split, and so
    /// every result, is the same either way.
    /// </summary>
    private static void RunParallel<T>(Job<T> job, int items, int chunks, int product) where T : unmanaged
    {
        RangeWork<T> work = RangeWork<T>.ForThisThread;
        work.Set(job, items, product);
        try
        {
            if (!KernelTeam.Shared.TryRun(work, chunks)) RunOnThreadPool(work, chunks);
        }
        finally
        {
            work.Set(default, 0, 0);
        }
    }

    /// <summary>The fallback split (a separate method: its closure would otherwise be allocated on every call).</summary>
    private static void RunOnThreadPool(IChunkWork work, int chunks) =>
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c => work.Run(c, chunks));

    /// <summary>A product's range of tiles as chunked work (one instance per calling thread and element type).</summary>
    private sealed class RangeWork<T> : IChunkWork where T : unmanaged
    {
        [ThreadStatic]
        private static RangeWork<T>? forThisThread;

        private Job<T> _job;
        private int _items, _product;

        public static RangeWork<T> ForThisThread => forThisThread ??= new RangeWork<T>();

        public void Set(Job<T> job, int items, int product)
        {
            _job = job;
            _items = items;
            _product = product;
        }

        public void Run(int chunk, int chunks)
        {
            int lo = (int)((long)_items * chunk / chunks), hi = (int)((long)_items * (chunk + 1) / chunks);
            if (lo >= hi) return;
            if (_product == 0) ForwardRange(_job, lo, hi);
            else if (_product == 1) BackwardInputRange(_job, lo, hi);
            else WeightGradientRange(_job, lo, hi);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first call: tier 0 would not inline the tile
    private static void ForwardRange<T>(Job<T> job, int lo, int hi) where T : unmanaged
    {
        int m = job.M, n = job.N, k = job.K, nr = NR<T>(), mr = MR<T>(), kcMax = KC<T>();
        T* cEdge = Scratch<T>.Get(mr * nr + mr * kcMax + nr), aEdge = cEdge + mr * nr, biasPad = aEdge + mr * kcMax;
        new Span<T>(cEdge, mr * nr).Clear();
        if (job.W != null)
        {
            // This thread's own panels, packed before its products (slice-by-slice packing interleaved with the
            // products measured slower: it evicts the tiles' operands).
            for (int q = lo; q < hi; q++) PackSlice(job.W, n, k, q, 0, k, job.B + (nint)q * nr * k);
        }

        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            for (int ic = 0; ic < m; ic += MC<T>())
            {
                int mc = Math.Min(MC<T>(), m - ic);
                for (int q = lo; q < hi; q++)
                {
                    int j0 = q * nr, cols = Math.Min(nr, n - j0);
                    T* panel = job.B + (nint)q * nr * k + (nint)pc * nr;
                    T* b0 = null;
                    if (pc == 0)
                    {
                        if (cols == nr) b0 = job.Bias + j0;
                        else
                        {
                            for (int j = 0; j < nr; j++) biasPad[j] = j < cols ? job.Bias[j0 + j] : default;
                            b0 = biasPad;
                        }
                    }

                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int i = ic + ir, rows = Math.Min(mr, mc - ir);
                        RunTile(kc, job.A + (nint)i * k + pc, k, 1, panel, nr, job.C + (nint)i * n + j0, n, rows, cols, b0, pc > 0, aEdge, cEdge);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first call: tier 0 would not inline the tile
    private static void BackwardInputRange<T>(Job<T> job, int lo, int hi) where T : unmanaged
    {
        // A = dZ [m, n] (inner dimension n), B = W [n, k] read in place; C = dX [m, k].
        int m = job.M, n = job.N, k = job.K, nr = NR<T>(), mr = MR<T>(), kcMax = KC<T>();
        T* cEdge = Scratch<T>.Get(mr * nr + mr * kcMax + kcMax * nr), aEdge = cEdge + mr * nr, pad = aEdge + mr * kcMax;
        new Span<T>(cEdge, mr * nr).Clear();
        for (int pc = 0; pc < n; pc += kcMax)
        {
            int kc = Math.Min(kcMax, n - pc);
            for (int ic = 0; ic < m; ic += MC<T>())
            {
                int mc = Math.Min(MC<T>(), m - ic);
                for (int q = lo; q < hi; q++)
                {
                    int j0 = q * nr, cols = Math.Min(nr, k - j0);
                    T* b;
                    nint ldb;
                    if (cols == nr)
                    {
                        b = job.B + (nint)pc * k + j0; // rows of W are the panel's rows: no packing
                        ldb = k;
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            for (int j = 0; j < nr; j++) pad[p * nr + j] = j < cols ? job.B[(nint)(pc + p) * k + j0 + j] : default;
                        }

                        b = pad;
                        ldb = nr;
                    }

                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int i = ic + ir, rows = Math.Min(mr, mc - ir);
                        RunTile(kc, job.A + (nint)i * n + pc, n, 1, b, ldb, job.C + (nint)i * k + j0, k, rows, cols, null, pc > 0, aEdge, cEdge);
                        if (job.Scale != null && pc + kc == n) ScaleTile(job.C + (nint)i * k + j0, k, job.Scale + (nint)i * k + j0, rows, cols);
                    }
                }
            }
        }
    }

    /// <summary>c[r ld + j] *= d[r ld + j] for r &lt; rows, j &lt; cols.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaleTile<T>(T* c, nint ld, T* d, int rows, int cols) where T : unmanaged
    {
        int vw = Vector<T>.Count;
        for (int r = 0; r < rows; r++)
        {
            T* cr = c + r * ld, dr = d + r * ld;
            int j = 0;
            for (; j <= cols - vw; j += vw) Vector.Store(Vector.Load(cr + j) * Vector.Load(dr + j), cr + j);
            for (; j < cols; j++)
            {
                if (typeof(T) == typeof(float)) *(float*)(cr + j) *= *(float*)(dr + j);
                else if (typeof(T) == typeof(double)) *(double*)(cr + j) *= *(double*)(dr + j);
                else throw new NotSupportedException($"GEMM supports float and double, not {typeof(T).Name}.");
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // optimised from the first call: tier 0 would not inline the tile
    private static void WeightGradientRange<T>(Job<T> job, int lo, int hi) where T : unmanaged
    {
        // A(i, p) = dZ[p, i] (inner dimension m), B = X [m, k] read in place; C = dW [n, k], accumulated.
        int m = job.M, n = job.N, k = job.K, nr = NR<T>();
        int panels = (k + nr - 1) / nr, mr = MR<T>(), kcMax = KC<T>();
        T* cEdge = Scratch<T>.Get(mr * nr + mr * kcMax + kcMax * nr), aEdge = cEdge + mr * nr, pad = aEdge + mr * kcMax;
        new Span<T>(cEdge, mr * nr).Clear();
        for (int pc = 0; pc < m; pc += kcMax)
        {
            int kc = Math.Min(kcMax, m - pc);
            for (int q = 0; q < panels; q++)
            {
                int j0 = q * nr, cols = Math.Min(nr, k - j0);
                T* b = job.B + (nint)pc * k + j0;
                nint ldb = k;
                if (cols < nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        for (int j = 0; j < nr; j++) pad[p * nr + j] = j < cols ? job.B[(nint)(pc + p) * k + j0 + j] : default;
                    }

                    b = pad;
                    ldb = nr;
                }

                for (int t = lo; t < hi; t++)
                {
                    int i = t * mr, rows = Math.Min(mr, n - i);
                    RunTile(kc, job.A + (nint)pc * n + i, 1, n, b, ldb, job.C + (nint)i * k + j0, k, rows, cols, null, pc > 0 || !job.Overwrite, aEdge, cEdge);
                }
            }
        }

        // The bias gradient of this range's outputs (Bias holds the column sums' destination in this product).
        if (job.Bias != null) ColumnSumRange(job.A, m, n, job.Bias, lo * mr, Math.Min(hi * mr, n), !job.Overwrite);
    }

    /// <summary>
    /// One pinned scratch buffer per thread and element type (edge tiles, padded panels), starting on a cache line: a
    /// product's range takes it at its start and holds it to its end, so it never allocates after a thread's first call.
    /// </summary>
    private static class Scratch<T> where T : unmanaged
    {
        [ThreadStatic]
        private static ArraySegment<T> buffer;

        public static T* Get(int length)
        {
            ArraySegment<T> b = buffer;
            if (b.Array is null || b.Count < length) buffer = b = AlignedArray.Allocate<T>(length);
            return (T*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(b.Array!), b.Offset));
        }
    }

    /// <summary>db [n] += column sums of dZ [m, n], summed in row order.</summary>
    public static void AccumulateColumnSums<T>(ReadOnlySpan<T> dz, int m, int n, Span<T> db) where T : unmanaged
    {
        if (db.Length < n) throw new ArgumentException($"db has {db.Length} values; {n} are needed.", nameof(db));
        if (dz.Length < m * n) throw new ArgumentException($"dz has {dz.Length} values; {m * n} are needed.", nameof(dz));
        fixed (T* pdz = dz, pdb = db) ColumnSumRange(pdz, m, n, pdb, 0, n, accumulate: true);
    }

    /// <summary>
    /// C[rows, cols] = init + sum_{p &lt; kc} A[i, p] B[p, j] with A(i, p) = a[i rsA + p csA] and B(p, j) = b[p ldb + j]
    /// (B must be readable for a full NR columns). init is C itself when <paramref name="loadC"/>, else the bias row
    /// when given (readable for NR columns), else 0. An edge tile runs the same micro-kernel on scratch: A's missing
    /// rows are zero rows of a copy (<paramref name="aEdge"/>, MR x kc), C's tile is a full MR x NR copy
    /// (<paramref name="cEdge"/>), so every output is the same chain as in a full tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunTile<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, int rows, int cols, T* bias, bool loadC, T* aEdge, T* cEdge)
        where T : unmanaged
    {
        int nr = NR<T>(), mr = MR<T>();
        if (rows == mr && cols == nr)
        {
            Micro(kc, a, rsA, csA, b, ldb, c, ldc, bias, loadC);
            return;
        }

        if (rows < mr)
        {
            for (int i = 0; i < rows; i++)
            {
                T* src = a + i * rsA, dst = aEdge + i * kc;
                for (int p = 0; p < kc; p++) dst[p] = src[p * csA];
            }

            new Span<T>(aEdge + rows * kc, (mr - rows) * kc).Clear();
            a = aEdge;
            rsA = kc;
            csA = 1;
        }

        if (loadC)
        {
            for (int i = 0; i < rows; i++) new ReadOnlySpan<T>(c + i * ldc, cols).CopyTo(new Span<T>(cEdge + i * nr, cols));
        }

        // A narrow edge (a 10-output layer, the last 16 of 784 columns) runs only the vectors it needs: the same
        // chains, without the zero columns' FMAs.
        if (Tile == GemmTile.Vector512 && cols <= Vector512<T>.Count) Micro6Wide1(kc, a, rsA, csA, b, ldb, cEdge, nr, bias, loadC);
        else if (Tile == GemmTile.Vector512 && cols <= 2 * Vector512<T>.Count) Micro6Wide2(kc, a, rsA, csA, b, ldb, cEdge, nr, bias, loadC);
        else Micro(kc, a, rsA, csA, b, ldb, cEdge, nr, bias, loadC);
        for (int i = 0; i < rows; i++) new ReadOnlySpan<T>(cEdge + i * nr, cols).CopyTo(new Span<T>(c + i * ldc, cols));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC)
        where T : unmanaged
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double)) throw new NotSupportedException($"GEMM supports float and double, not {typeof(T).Name}.");
        switch (Tile)
        {
            case GemmTile.Vector512:
                Micro6Wide(kc, a, rsA, csA, b, ldb, c, ldc, bias, loadC);
                break;
            case GemmTile.Vector4 when typeof(T) == typeof(float):
                Micro8x3(kc, a, rsA, csA, b, ldb, c, ldc, bias, loadC);
                break;
            case GemmTile.Vector4:
                Micro6x4(kc, a, rsA, csA, b, ldb, c, ldc, bias, loadC);
                break;
            default:
                Micro6(kc, a, rsA, csA, b, ldb, c, ldc, bias, loadC);
                break;
        }
    }

    /// <summary>The 6 x 2-vector micro-kernel on <see cref="Vector{T}"/>: 12 accumulators, two B loads and one broadcast per row per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC)
        where T : unmanaged
    {
        int vw = Vector<T>.Count;
        Vector<T> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        T* r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc, r4 = c + 4 * ldc, r5 = c + 5 * ldc;
        if (loadC)
        {
            c00 = Vector.Load(c); c01 = Vector.Load(c + vw);
            c10 = Vector.Load(r1); c11 = Vector.Load(r1 + vw);
            c20 = Vector.Load(r2); c21 = Vector.Load(r2 + vw);
            c30 = Vector.Load(r3); c31 = Vector.Load(r3 + vw);
            c40 = Vector.Load(r4); c41 = Vector.Load(r4 + vw);
            c50 = Vector.Load(r5); c51 = Vector.Load(r5 + vw);
        }
        else
        {
            Vector<T> b0 = bias != null ? Vector.Load(bias) : Vector<T>.Zero;
            Vector<T> b1 = bias != null ? Vector.Load(bias + vw) : Vector<T>.Zero;
            c00 = c10 = c20 = c30 = c40 = c50 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = b1;
        }

        T* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA;
        nint end = kc * csA;
        for (nint o = 0; o < end; o += csA)
        {
            Vector<T> bv0 = Vector.Load(b);
            Vector<T> bv1 = Vector.Load(b + vw);
            Vector<T> av = Vector.Create(a0[o]);
            c00 = FmaV(av, bv0, c00); c01 = FmaV(av, bv1, c01);
            av = Vector.Create(a1[o]);
            c10 = FmaV(av, bv0, c10); c11 = FmaV(av, bv1, c11);
            av = Vector.Create(a2[o]);
            c20 = FmaV(av, bv0, c20); c21 = FmaV(av, bv1, c21);
            av = Vector.Create(a3[o]);
            c30 = FmaV(av, bv0, c30); c31 = FmaV(av, bv1, c31);
            av = Vector.Create(a4[o]);
            c40 = FmaV(av, bv0, c40); c41 = FmaV(av, bv1, c41);
            av = Vector.Create(a5[o]);
            c50 = FmaV(av, bv0, c50); c51 = FmaV(av, bv1, c51);
            b += ldb;
        }

        Vector.Store(c00, c); Vector.Store(c01, c + vw);
        Vector.Store(c10, r1); Vector.Store(c11, r1 + vw);
        Vector.Store(c20, r2); Vector.Store(c21, r2 + vw);
        Vector.Store(c30, r3); Vector.Store(c31, r3 + vw);
        Vector.Store(c40, r4); Vector.Store(c41, r4 + vw);
        Vector.Store(c50, r5); Vector.Store(c51, r5 + vw);
    }

    /// <summary>
    /// The micro-kernel on 512-bit vectors: 6 rows by 4 vectors (24 accumulators; 6 x 64 floats or 6 x 32 doubles),
    /// four B loads and six broadcasts per 24 FMAs. Written on the raw vector type: through the lane-width wrappers
    /// the JIT adds register copies between the FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6Wide<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC)
        where T : unmanaged
    {
        int vw = Vector512<T>.Count;
        Vector512<T> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        T* r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc, r4 = c + 4 * ldc, r5 = c + 5 * ldc;
        if (loadC)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + vw); c02 = Vector512.Load(c + 2 * vw); c03 = Vector512.Load(c + 3 * vw);
            c10 = Vector512.Load(r1); c11 = Vector512.Load(r1 + vw); c12 = Vector512.Load(r1 + 2 * vw); c13 = Vector512.Load(r1 + 3 * vw);
            c20 = Vector512.Load(r2); c21 = Vector512.Load(r2 + vw); c22 = Vector512.Load(r2 + 2 * vw); c23 = Vector512.Load(r2 + 3 * vw);
            c30 = Vector512.Load(r3); c31 = Vector512.Load(r3 + vw); c32 = Vector512.Load(r3 + 2 * vw); c33 = Vector512.Load(r3 + 3 * vw);
            c40 = Vector512.Load(r4); c41 = Vector512.Load(r4 + vw); c42 = Vector512.Load(r4 + 2 * vw); c43 = Vector512.Load(r4 + 3 * vw);
            c50 = Vector512.Load(r5); c51 = Vector512.Load(r5 + vw); c52 = Vector512.Load(r5 + 2 * vw); c53 = Vector512.Load(r5 + 3 * vw);
        }
        else
        {
            Vector512<T> b0 = bias != null ? Vector512.Load(bias) : Vector512<T>.Zero;
            Vector512<T> b1 = bias != null ? Vector512.Load(bias + vw) : Vector512<T>.Zero;
            Vector512<T> b2 = bias != null ? Vector512.Load(bias + 2 * vw) : Vector512<T>.Zero;
            Vector512<T> b3 = bias != null ? Vector512.Load(bias + 3 * vw) : Vector512<T>.Zero;
            c00 = c10 = c20 = c30 = c40 = c50 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = b1;
            c02 = c12 = c22 = c32 = c42 = c52 = b2;
            c03 = c13 = c23 = c33 = c43 = c53 = b3;
        }

        T* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA;
        nint end = kc * csA;
        for (nint o = 0; o < end; o += csA)
        {
            Vector512<T> bv0 = Vector512.Load(b);
            Vector512<T> bv1 = Vector512.Load(b + vw);
            Vector512<T> bv2 = Vector512.Load(b + 2 * vw);
            Vector512<T> bv3 = Vector512.Load(b + 3 * vw);
            Vector512<T> av = Vector512.Create(a0[o]);
            c00 = Fma512(av, bv0, c00); c01 = Fma512(av, bv1, c01); c02 = Fma512(av, bv2, c02); c03 = Fma512(av, bv3, c03);
            av = Vector512.Create(a1[o]);
            c10 = Fma512(av, bv0, c10); c11 = Fma512(av, bv1, c11); c12 = Fma512(av, bv2, c12); c13 = Fma512(av, bv3, c13);
            av = Vector512.Create(a2[o]);
            c20 = Fma512(av, bv0, c20); c21 = Fma512(av, bv1, c21); c22 = Fma512(av, bv2, c22); c23 = Fma512(av, bv3, c23);
            av = Vector512.Create(a3[o]);
            c30 = Fma512(av, bv0, c30); c31 = Fma512(av, bv1, c31); c32 = Fma512(av, bv2, c32); c33 = Fma512(av, bv3, c33);
            av = Vector512.Create(a4[o]);
            c40 = Fma512(av, bv0, c40); c41 = Fma512(av, bv1, c41); c42 = Fma512(av, bv2, c42); c43 = Fma512(av, bv3, c43);
            av = Vector512.Create(a5[o]);
            c50 = Fma512(av, bv0, c50); c51 = Fma512(av, bv1, c51); c52 = Fma512(av, bv2, c52); c53 = Fma512(av, bv3, c53);
            b += ldb;
        }

        Vector512.Store(c00, c); Vector512.Store(c01, c + vw); Vector512.Store(c02, c + 2 * vw); Vector512.Store(c03, c + 3 * vw);
        Vector512.Store(c10, r1); Vector512.Store(c11, r1 + vw); Vector512.Store(c12, r1 + 2 * vw); Vector512.Store(c13, r1 + 3 * vw);
        Vector512.Store(c20, r2); Vector512.Store(c21, r2 + vw); Vector512.Store(c22, r2 + 2 * vw); Vector512.Store(c23, r2 + 3 * vw);
        Vector512.Store(c30, r3); Vector512.Store(c31, r3 + vw); Vector512.Store(c32, r3 + 2 * vw); Vector512.Store(c33, r3 + 3 * vw);
        Vector512.Store(c40, r4); Vector512.Store(c41, r4 + vw); Vector512.Store(c42, r4 + 2 * vw); Vector512.Store(c43, r4 + 3 * vw);
        Vector512.Store(c50, r5); Vector512.Store(c51, r5 + vw); Vector512.Store(c52, r5 + 2 * vw); Vector512.Store(c53, r5 + 3 * vw);
    }

    /// <summary>
    /// <see cref="Micro6Wide"/>'s first 512-bit vector of columns only (edge tiles of at most one vector): 6
    /// accumulators, one B load and six broadcasts per 6 FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6Wide1<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC)
        where T : unmanaged
    {
        Vector512<T> c0, c1, c2, c3, c4, c5;
        T* r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc, r4 = c + 4 * ldc, r5 = c + 5 * ldc;
        if (loadC)
        {
            c0 = Vector512.Load(c); c1 = Vector512.Load(r1); c2 = Vector512.Load(r2);
            c3 = Vector512.Load(r3); c4 = Vector512.Load(r4); c5 = Vector512.Load(r5);
        }
        else
        {
            c0 = c1 = c2 = c3 = c4 = c5 = bias != null ? Vector512.Load(bias) : Vector512<T>.Zero;
        }

        T* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA;
        nint end = kc * csA;
        for (nint o = 0; o < end; o += csA)
        {
            Vector512<T> bv = Vector512.Load(b);
            c0 = Fma512(Vector512.Create(a0[o]), bv, c0);
            c1 = Fma512(Vector512.Create(a1[o]), bv, c1);
            c2 = Fma512(Vector512.Create(a2[o]), bv, c2);
            c3 = Fma512(Vector512.Create(a3[o]), bv, c3);
            c4 = Fma512(Vector512.Create(a4[o]), bv, c4);
            c5 = Fma512(Vector512.Create(a5[o]), bv, c5);
            b += ldb;
        }

        Vector512.Store(c0, c); Vector512.Store(c1, r1); Vector512.Store(c2, r2);
        Vector512.Store(c3, r3); Vector512.Store(c4, r4); Vector512.Store(c5, r5);
    }

    /// <summary>
    /// <see cref="Micro6Wide"/>'s first two 512-bit vectors of columns only (edge tiles of at most two vectors). The
    /// same loop as <see cref="Micro6"/> on another vector type, for the reason <see cref="Micro6x4"/> gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6Wide2<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC)
        where T : unmanaged
    {
        int vw = Vector512<T>.Count;
        Vector512<T> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        T* r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc, r4 = c + 4 * ldc, r5 = c + 5 * ldc;
        if (loadC)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + vw);
            c10 = Vector512.Load(r1); c11 = Vector512.Load(r1 + vw);
            c20 = Vector512.Load(r2); c21 = Vector512.Load(r2 + vw);
            c30 = Vector512.Load(r3); c31 = Vector512.Load(r3 + vw);
            c40 = Vector512.Load(r4); c41 = Vector512.Load(r4 + vw);
            c50 = Vector512.Load(r5); c51 = Vector512.Load(r5 + vw);
        }
        else
        {
            Vector512<T> b0 = bias != null ? Vector512.Load(bias) : Vector512<T>.Zero;
            Vector512<T> b1 = bias != null ? Vector512.Load(bias + vw) : Vector512<T>.Zero;
            c00 = c10 = c20 = c30 = c40 = c50 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = b1;
        }

        T* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA;
        nint end = kc * csA;
        for (nint o = 0; o < end; o += csA)
        {
            Vector512<T> bv0 = Vector512.Load(b);
            Vector512<T> bv1 = Vector512.Load(b + vw);
            Vector512<T> av = Vector512.Create(a0[o]);
            c00 = Fma512(av, bv0, c00); c01 = Fma512(av, bv1, c01);
            av = Vector512.Create(a1[o]);
            c10 = Fma512(av, bv0, c10); c11 = Fma512(av, bv1, c11);
            av = Vector512.Create(a2[o]);
            c20 = Fma512(av, bv0, c20); c21 = Fma512(av, bv1, c21);
            av = Vector512.Create(a3[o]);
            c30 = Fma512(av, bv0, c30); c31 = Fma512(av, bv1, c31);
            av = Vector512.Create(a4[o]);
            c40 = Fma512(av, bv0, c40); c41 = Fma512(av, bv1, c41);
            av = Vector512.Create(a5[o]);
            c50 = Fma512(av, bv0, c50); c51 = Fma512(av, bv1, c51);
            b += ldb;
        }

        Vector512.Store(c00, c); Vector512.Store(c01, c + vw);
        Vector512.Store(c10, r1); Vector512.Store(c11, r1 + vw);
        Vector512.Store(c20, r2); Vector512.Store(c21, r2 + vw);
        Vector512.Store(c30, r3); Vector512.Store(c31, r3 + vw);
        Vector512.Store(c40, r4); Vector512.Store(c41, r4 + vw);
        Vector512.Store(c50, r5); Vector512.Store(c51, r5 + vw);
    }

    /// <summary>
    /// The 6 x 4-vector micro-kernel on <see cref="Vector{T}"/> for 32 vector registers (6 x 8 doubles on Arm64):
    /// 24 accumulators, four B loads and six broadcasts per 24 FMAs. The same tile as <see cref="Micro6Wide"/> on
    /// another vector type: the runtime offers no generic vector type that compiles to the same registers (its
    /// lane-width wrappers add register copies between the FMAs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6x4<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC)
        where T : unmanaged
    {
        int vw = Vector<T>.Count;
        Vector<T> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        T* r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc, r4 = c + 4 * ldc, r5 = c + 5 * ldc;
        if (loadC)
        {
            c00 = Vector.Load(c); c01 = Vector.Load(c + vw); c02 = Vector.Load(c + 2 * vw); c03 = Vector.Load(c + 3 * vw);
            c10 = Vector.Load(r1); c11 = Vector.Load(r1 + vw); c12 = Vector.Load(r1 + 2 * vw); c13 = Vector.Load(r1 + 3 * vw);
            c20 = Vector.Load(r2); c21 = Vector.Load(r2 + vw); c22 = Vector.Load(r2 + 2 * vw); c23 = Vector.Load(r2 + 3 * vw);
            c30 = Vector.Load(r3); c31 = Vector.Load(r3 + vw); c32 = Vector.Load(r3 + 2 * vw); c33 = Vector.Load(r3 + 3 * vw);
            c40 = Vector.Load(r4); c41 = Vector.Load(r4 + vw); c42 = Vector.Load(r4 + 2 * vw); c43 = Vector.Load(r4 + 3 * vw);
            c50 = Vector.Load(r5); c51 = Vector.Load(r5 + vw); c52 = Vector.Load(r5 + 2 * vw); c53 = Vector.Load(r5 + 3 * vw);
        }
        else
        {
            Vector<T> b0 = bias != null ? Vector.Load(bias) : Vector<T>.Zero;
            Vector<T> b1 = bias != null ? Vector.Load(bias + vw) : Vector<T>.Zero;
            Vector<T> b2 = bias != null ? Vector.Load(bias + 2 * vw) : Vector<T>.Zero;
            Vector<T> b3 = bias != null ? Vector.Load(bias + 3 * vw) : Vector<T>.Zero;
            c00 = c10 = c20 = c30 = c40 = c50 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = b1;
            c02 = c12 = c22 = c32 = c42 = c52 = b2;
            c03 = c13 = c23 = c33 = c43 = c53 = b3;
        }

        T* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA;
        nint end = kc * csA;
        for (nint o = 0; o < end; o += csA)
        {
            Vector<T> bv0 = Vector.Load(b);
            Vector<T> bv1 = Vector.Load(b + vw);
            Vector<T> bv2 = Vector.Load(b + 2 * vw);
            Vector<T> bv3 = Vector.Load(b + 3 * vw);
            Vector<T> av = Vector.Create(a0[o]);
            c00 = FmaV(av, bv0, c00); c01 = FmaV(av, bv1, c01); c02 = FmaV(av, bv2, c02); c03 = FmaV(av, bv3, c03);
            av = Vector.Create(a1[o]);
            c10 = FmaV(av, bv0, c10); c11 = FmaV(av, bv1, c11); c12 = FmaV(av, bv2, c12); c13 = FmaV(av, bv3, c13);
            av = Vector.Create(a2[o]);
            c20 = FmaV(av, bv0, c20); c21 = FmaV(av, bv1, c21); c22 = FmaV(av, bv2, c22); c23 = FmaV(av, bv3, c23);
            av = Vector.Create(a3[o]);
            c30 = FmaV(av, bv0, c30); c31 = FmaV(av, bv1, c31); c32 = FmaV(av, bv2, c32); c33 = FmaV(av, bv3, c33);
            av = Vector.Create(a4[o]);
            c40 = FmaV(av, bv0, c40); c41 = FmaV(av, bv1, c41); c42 = FmaV(av, bv2, c42); c43 = FmaV(av, bv3, c43);
            av = Vector.Create(a5[o]);
            c50 = FmaV(av, bv0, c50); c51 = FmaV(av, bv1, c51); c52 = FmaV(av, bv2, c52); c53 = FmaV(av, bv3, c53);
            b += ldb;
        }

        Vector.Store(c00, c); Vector.Store(c01, c + vw); Vector.Store(c02, c + 2 * vw); Vector.Store(c03, c + 3 * vw);
        Vector.Store(c10, r1); Vector.Store(c11, r1 + vw); Vector.Store(c12, r1 + 2 * vw); Vector.Store(c13, r1 + 3 * vw);
        Vector.Store(c20, r2); Vector.Store(c21, r2 + vw); Vector.Store(c22, r2 + 2 * vw); Vector.Store(c23, r2 + 3 * vw);
        Vector.Store(c30, r3); Vector.Store(c31, r3 + vw); Vector.Store(c32, r3 + 2 * vw); Vector.Store(c33, r3 + 3 * vw);
        Vector.Store(c40, r4); Vector.Store(c41, r4 + vw); Vector.Store(c42, r4 + 2 * vw); Vector.Store(c43, r4 + 3 * vw);
        Vector.Store(c50, r5); Vector.Store(c51, r5 + vw); Vector.Store(c52, r5 + 2 * vw); Vector.Store(c53, r5 + 3 * vw);
    }

    /// <summary>
    /// The 8 x 3-vector micro-kernel on <see cref="Vector{T}"/> for 32 vector registers (8 x 12 floats on Arm64):
    /// 24 accumulators, three B loads and eight broadcasts per 24 FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro8x3<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC)
        where T : unmanaged
    {
        int vw = Vector<T>.Count;
        Vector<T> c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32, c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        T* r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc, r4 = c + 4 * ldc, r5 = c + 5 * ldc, r6 = c + 6 * ldc, r7 = c + 7 * ldc;
        if (loadC)
        {
            c00 = Vector.Load(c); c01 = Vector.Load(c + vw); c02 = Vector.Load(c + 2 * vw);
            c10 = Vector.Load(r1); c11 = Vector.Load(r1 + vw); c12 = Vector.Load(r1 + 2 * vw);
            c20 = Vector.Load(r2); c21 = Vector.Load(r2 + vw); c22 = Vector.Load(r2 + 2 * vw);
            c30 = Vector.Load(r3); c31 = Vector.Load(r3 + vw); c32 = Vector.Load(r3 + 2 * vw);
            c40 = Vector.Load(r4); c41 = Vector.Load(r4 + vw); c42 = Vector.Load(r4 + 2 * vw);
            c50 = Vector.Load(r5); c51 = Vector.Load(r5 + vw); c52 = Vector.Load(r5 + 2 * vw);
            c60 = Vector.Load(r6); c61 = Vector.Load(r6 + vw); c62 = Vector.Load(r6 + 2 * vw);
            c70 = Vector.Load(r7); c71 = Vector.Load(r7 + vw); c72 = Vector.Load(r7 + 2 * vw);
        }
        else
        {
            Vector<T> b0 = bias != null ? Vector.Load(bias) : Vector<T>.Zero;
            Vector<T> b1 = bias != null ? Vector.Load(bias + vw) : Vector<T>.Zero;
            Vector<T> b2 = bias != null ? Vector.Load(bias + 2 * vw) : Vector<T>.Zero;
            c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = b1;
            c02 = c12 = c22 = c32 = c42 = c52 = c62 = c72 = b2;
        }

        T* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA, a6 = a + 6 * rsA, a7 = a + 7 * rsA;
        nint end = kc * csA;
        for (nint o = 0; o < end; o += csA)
        {
            Vector<T> bv0 = Vector.Load(b);
            Vector<T> bv1 = Vector.Load(b + vw);
            Vector<T> bv2 = Vector.Load(b + 2 * vw);
            Vector<T> av = Vector.Create(a0[o]);
            c00 = FmaV(av, bv0, c00); c01 = FmaV(av, bv1, c01); c02 = FmaV(av, bv2, c02);
            av = Vector.Create(a1[o]);
            c10 = FmaV(av, bv0, c10); c11 = FmaV(av, bv1, c11); c12 = FmaV(av, bv2, c12);
            av = Vector.Create(a2[o]);
            c20 = FmaV(av, bv0, c20); c21 = FmaV(av, bv1, c21); c22 = FmaV(av, bv2, c22);
            av = Vector.Create(a3[o]);
            c30 = FmaV(av, bv0, c30); c31 = FmaV(av, bv1, c31); c32 = FmaV(av, bv2, c32);
            av = Vector.Create(a4[o]);
            c40 = FmaV(av, bv0, c40); c41 = FmaV(av, bv1, c41); c42 = FmaV(av, bv2, c42);
            av = Vector.Create(a5[o]);
            c50 = FmaV(av, bv0, c50); c51 = FmaV(av, bv1, c51); c52 = FmaV(av, bv2, c52);
            av = Vector.Create(a6[o]);
            c60 = FmaV(av, bv0, c60); c61 = FmaV(av, bv1, c61); c62 = FmaV(av, bv2, c62);
            av = Vector.Create(a7[o]);
            c70 = FmaV(av, bv0, c70); c71 = FmaV(av, bv1, c71); c72 = FmaV(av, bv2, c72);
            b += ldb;
        }

        Vector.Store(c00, c); Vector.Store(c01, c + vw); Vector.Store(c02, c + 2 * vw);
        Vector.Store(c10, r1); Vector.Store(c11, r1 + vw); Vector.Store(c12, r1 + 2 * vw);
        Vector.Store(c20, r2); Vector.Store(c21, r2 + vw); Vector.Store(c22, r2 + 2 * vw);
        Vector.Store(c30, r3); Vector.Store(c31, r3 + vw); Vector.Store(c32, r3 + 2 * vw);
        Vector.Store(c40, r4); Vector.Store(c41, r4 + vw); Vector.Store(c42, r4 + 2 * vw);
        Vector.Store(c50, r5); Vector.Store(c51, r5 + vw); Vector.Store(c52, r5 + 2 * vw);
        Vector.Store(c60, r6); Vector.Store(c61, r6 + vw); Vector.Store(c62, r6 + 2 * vw);
        Vector.Store(c70, r7); Vector.Store(c71, r7 + vw); Vector.Store(c72, r7 + 2 * vw);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma512<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> FmaV<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
    }
}

/// <summary>The register tile of the GEMM micro-kernel.</summary>
internal enum GemmTile
{
    /// <summary>6 rows by 2 vectors of <see cref="Vector{T}"/>: 12 accumulators, for 16 vector registers.</summary>
    Vector2,

    /// <summary>
    /// 6 rows by 4 vectors (double) or 8 rows by 3 vectors (float) of <see cref="Vector{T}"/>: 24 accumulators, for 32
    /// vector registers; 6 x 8 doubles and 8 x 12 floats with 128-bit vectors (Arm64).
    /// </summary>
    Vector4,

    /// <summary>6 rows by 4 vectors of <see cref="Vector512{T}"/>: 24 accumulators (6 x 32 doubles, 6 x 64 floats).</summary>
    Vector512,
}

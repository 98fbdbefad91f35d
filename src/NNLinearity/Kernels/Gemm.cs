using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace NNLinearity.Kernels;

/// <summary>
/// The three products of a dense layer, BLIS-style: a register-blocked micro-kernel of <see cref="MR"/> rows by two
/// vectors of columns (6 x 16 floats or 6 x 8 doubles with 256-bit vectors: 12 accumulators), KC blocking of the inner
/// dimension, MC blocking of the rows, and packed weight panels.
/// </summary>
/// <remarks>
/// Every output element is one fused multiply-add chain over the inner dimension in ascending order, started from its
/// initial value (zero, the bias, or the accumulator) and stored once per KC block. Edge tiles run the same chain, and
/// threads split only whole tiles, so results are bit-identical for every thread count.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Rows per micro-tile.</summary>
    public const int MR = 6;

    /// <summary>Inner-dimension block (BLIS zen3).</summary>
    public const int KC = 256;

    /// <summary>Below this many flops a product runs on the calling thread.</summary>
    public const double ParallelThresholdFlops = 2e6;

    /// <summary>Columns per micro-tile: two vectors.</summary>
    public static int NR<T>() where T : unmanaged => 2 * Vector<T>.Count;

    /// <summary>Rows per L2 block of the activation operand.</summary>
    public static int MC<T>() where T : unmanaged => typeof(T) == typeof(float) ? 144 : 72;

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
        packed[..(panels * nr * k)].Clear();
        for (int q = 0; q < panels; q++)
        {
            Span<T> panel = packed.Slice(q * nr * k, nr * k);
            int cols = Math.Min(nr, n - q * nr);
            for (int j = 0; j < cols; j++)
            {
                ReadOnlySpan<T> row = w.Slice((q * nr + j) * k, k);
                for (int p = 0; p < k; p++) panel[p * nr + j] = row[p];
            }
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

    /// <summary>dX [m, k] = dZ [m, n] W [n, k].</summary>
    public static void BackwardInput<T>(ReadOnlySpan<T> dz, int m, int n, ReadOnlySpan<T> w, int k, Span<T> dx, int threads) where T : unmanaged
    {
        if (m == 0 || k == 0) return;
        if (n == 0)
        {
            dx[..(m * k)].Clear();
            return;
        }

        int panels = (k + NR<T>() - 1) / NR<T>();
        fixed (T* pdz = dz, pw = w, pdx = dx)
        {
            var job = new Job<T>(pdz, pw, null, pdx, m, n, k);
            int chunks = Chunks(panels, 2.0 * m * n * k, threads);
            if (chunks <= 1) BackwardInputRange(job, 0, panels);
            else RunParallel(job, panels, chunks, 1);
        }
    }

    /// <summary>dW [n, k] += dZ^T X, with dZ [m, n] and X [m, k].</summary>
    public static void AccumulateWeightGradient<T>(ReadOnlySpan<T> dz, int m, int n, ReadOnlySpan<T> x, int k, Span<T> dw, int threads) where T : unmanaged
    {
        if (m == 0 || n == 0 || k == 0) return;
        int tiles = (n + MR - 1) / MR;
        fixed (T* pdz = dz, px = x, pdw = dw)
        {
            var job = new Job<T>(pdz, px, null, pdw, m, n, k);
            int chunks = Chunks(tiles, 2.0 * m * n * k, threads);
            if (chunks <= 1) WeightGradientRange(job, 0, tiles);
            else RunParallel(job, tiles, chunks, 2);
        }
    }

    /// <summary>The operands of one product (pointers stay pinned by the caller for its duration).</summary>
    private readonly struct Job<T>(T* a, T* b, T* bias, T* c, int m, int n, int k) where T : unmanaged
    {
        public readonly T* A = a, B = b, Bias = bias, C = c;
        public readonly int M = m, N = n, K = k;
    }

    private static int Chunks(int items, double flops, int threads)
    {
        int chunks = Math.Min(items, threads <= 0 ? Environment.ProcessorCount : threads);
        return flops < ParallelThresholdFlops ? 1 : chunks;
    }

    /// <summary>Splits the items into contiguous chunks, one per thread (kept out of the inline path: it allocates).</summary>
    private static void RunParallel<T>(Job<T> job, int items, int chunks, int product) where T : unmanaged
    {
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
        {
            int lo = (int)((long)items * c / chunks), hi = (int)((long)items * (c + 1) / chunks);
            if (lo >= hi) return;
            if (product == 0) ForwardRange(job, lo, hi);
            else if (product == 1) BackwardInputRange(job, lo, hi);
            else WeightGradientRange(job, lo, hi);
        });
    }

    private static void ForwardRange<T>(Job<T> job, int lo, int hi) where T : unmanaged
    {
        int m = job.M, n = job.N, k = job.K, nr = NR<T>();
        T* edge = stackalloc T[MR * 2 * Vector<T>.Count];
        T* biasPad = stackalloc T[2 * Vector<T>.Count];
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
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

                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int i = ic + ir, rows = Math.Min(MR, mc - ir);
                        Tile(kc, job.A + (nint)i * k + pc, k, 1, panel, nr, job.C + (nint)i * n + j0, n, rows, cols, b0, pc > 0, edge);
                    }
                }
            }
        }
    }

    private static void BackwardInputRange<T>(Job<T> job, int lo, int hi) where T : unmanaged
    {
        // A = dZ [m, n] (inner dimension n), B = W [n, k] read in place; C = dX [m, k].
        int m = job.M, n = job.N, k = job.K, nr = NR<T>();
        T* edge = stackalloc T[MR * 2 * Vector<T>.Count];
        T* pad = stackalloc T[KC * 2 * Vector<T>.Count];
        for (int pc = 0; pc < n; pc += KC)
        {
            int kc = Math.Min(KC, n - pc);
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

                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int i = ic + ir, rows = Math.Min(MR, mc - ir);
                        Tile(kc, job.A + (nint)i * n + pc, n, 1, b, ldb, job.C + (nint)i * k + j0, k, rows, cols, null, pc > 0, edge);
                    }
                }
            }
        }
    }

    private static void WeightGradientRange<T>(Job<T> job, int lo, int hi) where T : unmanaged
    {
        // A(i, p) = dZ[p, i] (inner dimension m), B = X [m, k] read in place; C = dW [n, k], accumulated.
        int m = job.M, n = job.N, k = job.K, nr = NR<T>();
        int panels = (k + nr - 1) / nr;
        T* edge = stackalloc T[MR * 2 * Vector<T>.Count];
        T* pad = stackalloc T[KC * 2 * Vector<T>.Count];
        for (int pc = 0; pc < m; pc += KC)
        {
            int kc = Math.Min(KC, m - pc);
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
                    int i = t * MR, rows = Math.Min(MR, n - i);
                    Tile(kc, job.A + (nint)pc * n + i, 1, n, b, ldb, job.C + (nint)i * k + j0, k, rows, cols, null, true, edge);
                }
            }
        }
    }

    /// <summary>db [n] += column sums of dZ [m, n], summed in row order.</summary>
    public static void AccumulateColumnSums<T>(ReadOnlySpan<T> dz, int m, int n, Span<T> db) where T : unmanaged, INumberBase<T>
    {
        int vw = Vector<T>.Count;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<T> row = dz.Slice(i * n, n);
            int j = 0;
            for (; j <= n - vw; j += vw) (new Vector<T>(db[j..]) + new Vector<T>(row[j..])).CopyTo(db[j..]);
            for (; j < n; j++) db[j] += row[j];
        }
    }

    /// <summary>
    /// C[rows, cols] = init + sum_{p &lt; kc} A[i, p] B[p, j] with A(i, p) = a[i rsA + p csA] and B(p, j) = b[p ldb + j]
    /// (B must be readable for a full NR columns). init is C itself when <paramref name="loadC"/>, else the bias row
    /// when given, else 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, int rows, int cols, T* bias, bool loadC, T* edge)
        where T : unmanaged
    {
        int nr = NR<T>();
        if (rows == MR && cols == nr)
        {
            Micro6(kc, a, rsA, csA, b, ldb, c, ldc, bias, loadC);
            return;
        }

        // Edge: the same chains through a full-width scratch tile.
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < nr; j++) edge[i * nr + j] = loadC && j < cols ? c[i * ldc + j] : default;
        }

        for (int i = 0; i < rows; i++)
        {
            RowChain(kc, a + i * rsA, csA, b, ldb, edge + i * nr, bias, loadC);
        }

        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++) c[i * ldc + j] = edge[i * nr + j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowChain<T>(int kc, T* a, nint csA, T* b, nint ldb, T* c, T* bias, bool loadC) where T : unmanaged
    {
        int vw = Vector<T>.Count;
        Vector<T> c0, c1;
        if (loadC)
        {
            c0 = Unsafe.ReadUnaligned<Vector<T>>(c);
            c1 = Unsafe.ReadUnaligned<Vector<T>>(c + vw);
        }
        else if (bias != null)
        {
            c0 = Unsafe.ReadUnaligned<Vector<T>>(bias);
            c1 = Unsafe.ReadUnaligned<Vector<T>>(bias + vw);
        }
        else
        {
            c0 = c1 = Vector<T>.Zero;
        }

        for (int p = 0; p < kc; p++)
        {
            T* bp = b + p * ldb;
            var av = new Vector<T>(a[p * csA]);
            c0 = Fma(av, Unsafe.ReadUnaligned<Vector<T>>(bp), c0);
            c1 = Fma(av, Unsafe.ReadUnaligned<Vector<T>>(bp + vw), c1);
        }

        Unsafe.WriteUnaligned(c, c0);
        Unsafe.WriteUnaligned(c + vw, c1);
    }

    /// <summary>The 6 x 2-vector micro-kernel: 12 accumulators, two B loads and one broadcast per row per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6<T>(int kc, T* a, nint rsA, nint csA, T* b, nint ldb, T* c, nint ldc, T* bias, bool loadC) where T : unmanaged
    {
        int vw = Vector<T>.Count;
        Vector<T> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (loadC)
        {
            c00 = Unsafe.ReadUnaligned<Vector<T>>(c); c01 = Unsafe.ReadUnaligned<Vector<T>>(c + vw);
            c10 = Unsafe.ReadUnaligned<Vector<T>>(c + ldc); c11 = Unsafe.ReadUnaligned<Vector<T>>(c + ldc + vw);
            c20 = Unsafe.ReadUnaligned<Vector<T>>(c + 2 * ldc); c21 = Unsafe.ReadUnaligned<Vector<T>>(c + 2 * ldc + vw);
            c30 = Unsafe.ReadUnaligned<Vector<T>>(c + 3 * ldc); c31 = Unsafe.ReadUnaligned<Vector<T>>(c + 3 * ldc + vw);
            c40 = Unsafe.ReadUnaligned<Vector<T>>(c + 4 * ldc); c41 = Unsafe.ReadUnaligned<Vector<T>>(c + 4 * ldc + vw);
            c50 = Unsafe.ReadUnaligned<Vector<T>>(c + 5 * ldc); c51 = Unsafe.ReadUnaligned<Vector<T>>(c + 5 * ldc + vw);
        }
        else
        {
            Vector<T> b0 = bias != null ? Unsafe.ReadUnaligned<Vector<T>>(bias) : Vector<T>.Zero;
            Vector<T> b1 = bias != null ? Unsafe.ReadUnaligned<Vector<T>>(bias + vw) : Vector<T>.Zero;
            c00 = c10 = c20 = c30 = c40 = c50 = b0;
            c01 = c11 = c21 = c31 = c41 = c51 = b1;
        }

        T* a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA;
        for (int p = 0; p < kc; p++)
        {
            Vector<T> bv0 = Unsafe.ReadUnaligned<Vector<T>>(b);
            Vector<T> bv1 = Unsafe.ReadUnaligned<Vector<T>>(b + vw);
            nint o = p * csA;
            var av = new Vector<T>(a0[o]);
            c00 = Fma(av, bv0, c00); c01 = Fma(av, bv1, c01);
            av = new Vector<T>(a1[o]);
            c10 = Fma(av, bv0, c10); c11 = Fma(av, bv1, c11);
            av = new Vector<T>(a2[o]);
            c20 = Fma(av, bv0, c20); c21 = Fma(av, bv1, c21);
            av = new Vector<T>(a3[o]);
            c30 = Fma(av, bv0, c30); c31 = Fma(av, bv1, c31);
            av = new Vector<T>(a4[o]);
            c40 = Fma(av, bv0, c40); c41 = Fma(av, bv1, c41);
            av = new Vector<T>(a5[o]);
            c50 = Fma(av, bv0, c50); c51 = Fma(av, bv1, c51);
            b += ldb;
        }

        Unsafe.WriteUnaligned(c, c00); Unsafe.WriteUnaligned(c + vw, c01);
        Unsafe.WriteUnaligned(c + ldc, c10); Unsafe.WriteUnaligned(c + ldc + vw, c11);
        Unsafe.WriteUnaligned(c + 2 * ldc, c20); Unsafe.WriteUnaligned(c + 2 * ldc + vw, c21);
        Unsafe.WriteUnaligned(c + 3 * ldc, c30); Unsafe.WriteUnaligned(c + 3 * ldc + vw, c31);
        Unsafe.WriteUnaligned(c + 4 * ldc, c40); Unsafe.WriteUnaligned(c + 4 * ldc + vw, c41);
        Unsafe.WriteUnaligned(c + 5 * ldc, c50); Unsafe.WriteUnaligned(c + 5 * ldc + vw, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            return Unsafe.BitCast<Vector<double>, Vector<T>>(Vector.FusedMultiplyAdd(Unsafe.BitCast<Vector<T>, Vector<double>>(a), Unsafe.BitCast<Vector<T>, Vector<double>>(b), Unsafe.BitCast<Vector<T>, Vector<double>>(c)));
        }

        if (typeof(T) == typeof(float))
        {
            return Unsafe.BitCast<Vector<float>, Vector<T>>(Vector.FusedMultiplyAdd(Unsafe.BitCast<Vector<T>, Vector<float>>(a), Unsafe.BitCast<Vector<T>, Vector<float>>(b), Unsafe.BitCast<Vector<T>, Vector<float>>(c)));
        }

        throw new NotSupportedException($"GEMM supports float and double, not {typeof(T).Name}.");
    }
}

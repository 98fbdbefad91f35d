using System;
using System.Runtime.CompilerServices;
using System.Globalization;
using System.Numerics;

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

    public int K { get; }

    public bool Intercept { get; }

    public int P => K + (Intercept ? 1 : 0);

    /// <summary>Element (i, j) of the design including the intercept column.</summary>
    public double this[int i, int j] => Intercept ? (j == 0 ? 1.0 : _x[i * _rowStride + (j - 1) * _colStride]) : _x[i * _rowStride + j * _colStride];

    /// <summary>
    /// Writes rows [r0, r0 + rows) row-major into <paramref name="u"/> (row i at i * stride: the intercept, then the
    /// k predictors, then zeros to the end of the row). Finiteness is not checked here: see <see cref="ThrowIfNotFinite"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LoadRows(int r0, int rows, Span<double> u, int stride)
    {
        int o = Intercept ? 1 : 0;
        if (_colStride == 1)
        {
            // Vector copies without a call per row; the stride has room for the intercept, K values and the padding.
            int vw = Vector<double>.Count, full = K - K % vw;
            fixed (double* u0 = u)
            {
                for (int i = 0; i < rows; i++)
                {
                    double* src = _x + (r0 + i) * _rowStride;
                    double* dst = u0 + i * stride;
                    if (Intercept) dst[0] = 1.0;
                    int j = 0;
                    for (; j < full; j += vw) Vector.Store(Vector.Load(src + j), dst + o + j);
                    for (; j < K; j++) dst[o + j] = src[j];
                    for (j += o; j < stride; j++) dst[j] = 0.0;
                }
            }
        }
        else
        {
            u[..(rows * stride)].Clear();
            for (int j = 0; j < K; j++)
            {
                double* col = _x + j * _colStride + r0 * _rowStride;
                for (int i = 0; i < rows; i++) u[i * stride + j + o] = col[i * _rowStride];
            }

            if (Intercept)
            {
                for (int i = 0; i < rows; i++) u[i * stride] = 1.0;
            }
        }
    }

    /// <summary>Throws, naming the first offending cell, when rows [r0, r0 + rows) hold a NaN or infinite predictor.</summary>
    public void ThrowIfNotFinite(ReadOnlySpan<double> loaded, int r0, int rows, int stride)
    {
        if (!WeightedGram.AllFinite(loaded[..(rows * stride)]))
        {
            for (int i = 0; i < rows; i++) ThrowNonFinite(r0 + i);
        }
    }

    /// <summary>Asks the cache to fetch rows [r0, r0 + rows) of a contiguous row-major source (a no-op otherwise).</summary>
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

using System;
using System.Globalization;

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
    /// Writes rows [r0, r0 + rows) column by column into <paramref name="u"/> (column j at j * stride), intercept
    /// first; throws when a predictor is NaN or infinite, naming its cell.
    /// </summary>
    public void LoadBlock(int r0, int rows, Span<double> u, int stride)
    {
        int o = Intercept ? 1 : 0;
        if (Intercept) u.Slice(0, rows).Fill(1.0);
        if (_colStride == 1)
        {
            for (int i = 0; i < rows; i++)
            {
                double* row = _x + (r0 + i) * _rowStride;
                bool finite = true;
                for (int j = 0; j < K; j++)
                {
                    double v = row[j];
                    finite &= double.IsFinite(v);
                    u[(j + o) * stride + i] = v;
                }

                if (!finite) ThrowNonFinite(r0 + i);
            }
        }
        else
        {
            for (int j = 0; j < K; j++)
            {
                double* col = _x + j * _colStride + r0 * _rowStride;
                Span<double> dst = u.Slice((j + o) * stride, rows);
                bool finite = true;
                for (int i = 0; i < rows; i++)
                {
                    double v = col[i * _rowStride];
                    finite &= double.IsFinite(v);
                    dst[i] = v;
                }

                if (!finite)
                {
                    for (int i = 0; i < rows; i++) ThrowIfNonFinite(r0 + i, j);
                }
            }
        }
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

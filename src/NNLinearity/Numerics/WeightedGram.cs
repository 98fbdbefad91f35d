using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NNLinearity.Numerics;

/// <summary>
/// Accumulates the lower triangle of U^T U for a block of rows stored column by column in a contiguous buffer
/// (U = diag(sqrt(w)) [X z]), with a register-blocked kernel: 4 x 2 tiles of <see cref="Vector{T}"/> accumulators,
/// one FMA per pair and lane. Columns are padded to a multiple of 4 and rows to a multiple of the vector width with
/// zeros, so the kernel has no edges. <see cref="Vector{T}"/> is 256 bits with AVX2, 128 bits on SSE/NEON and a
/// software fallback without SIMD.
/// </summary>
internal static class WeightedGram
{
    /// <summary>Rows per block: 24 columns x 128 rows x 8 bytes = 24 KiB, inside a 32 KiB L1 data cache.</summary>
    public const int BlockRows = 128;

    public static int PaddedColumns(int columns) => (columns + 3) & ~3;

    /// <summary>
    /// gram[j * stride + l] += sum_i u[j][i] u[l][i] for l &lt;= j (plus a few upper entries inside diagonal tiles).
    /// <paramref name="u"/> holds <paramref name="paddedColumns"/> columns of <see cref="BlockRows"/> rows each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(ReadOnlySpan<double> u, int paddedColumns, Span<double> gram)
    {
        int stride = paddedColumns;
        int vw = Vector<double>.Count;
        for (int jb = 0; jb < paddedColumns; jb += 4)
        {
            ReadOnlySpan<double> c0 = u.Slice(jb * BlockRows, BlockRows);
            ReadOnlySpan<double> c1 = u.Slice((jb + 1) * BlockRows, BlockRows);
            ReadOnlySpan<double> c2 = u.Slice((jb + 2) * BlockRows, BlockRows);
            ReadOnlySpan<double> c3 = u.Slice((jb + 3) * BlockRows, BlockRows);
            for (int lb = 0; lb <= jb + 2; lb += 2)
            {
                ReadOnlySpan<double> d0 = u.Slice(lb * BlockRows, BlockRows);
                ReadOnlySpan<double> d1 = u.Slice((lb + 1) * BlockRows, BlockRows);
                Vector<double> a00 = default, a01 = default, a10 = default, a11 = default;
                Vector<double> a20 = default, a21 = default, a30 = default, a31 = default;
                for (int i = 0; i < BlockRows; i += vw)
                {
                    var v0 = new Vector<double>(d0[i..]);
                    var v1 = new Vector<double>(d1[i..]);
                    var x0 = new Vector<double>(c0[i..]);
                    var x1 = new Vector<double>(c1[i..]);
                    var x2 = new Vector<double>(c2[i..]);
                    var x3 = new Vector<double>(c3[i..]);
                    a00 = Vector.FusedMultiplyAdd(x0, v0, a00);
                    a01 = Vector.FusedMultiplyAdd(x0, v1, a01);
                    a10 = Vector.FusedMultiplyAdd(x1, v0, a10);
                    a11 = Vector.FusedMultiplyAdd(x1, v1, a11);
                    a20 = Vector.FusedMultiplyAdd(x2, v0, a20);
                    a21 = Vector.FusedMultiplyAdd(x2, v1, a21);
                    a30 = Vector.FusedMultiplyAdd(x3, v0, a30);
                    a31 = Vector.FusedMultiplyAdd(x3, v1, a31);
                }

                int r0 = jb * stride + lb;
                gram[r0] += Vector.Sum(a00);
                gram[r0 + 1] += Vector.Sum(a01);
                gram[r0 + stride] += Vector.Sum(a10);
                gram[r0 + stride + 1] += Vector.Sum(a11);
                gram[r0 + 2 * stride] += Vector.Sum(a20);
                gram[r0 + 2 * stride + 1] += Vector.Sum(a21);
                gram[r0 + 3 * stride] += Vector.Sum(a30);
                gram[r0 + 3 * stride + 1] += Vector.Sum(a31);
            }
        }
    }

    /// <summary>dst[i] = offset[i] + sum_j beta[j] u[j * stride + i] over one block, column by column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LinearPredictor(ReadOnlySpan<double> u, int stride, int rows, ReadOnlySpan<double> beta, ReadOnlySpan<double> offset, Span<double> dst)
    {
        Span<double> d = dst[..rows];
        if (offset.IsEmpty) d.Clear();
        else offset[..rows].CopyTo(d);
        int vw = Vector<double>.Count;
        for (int j = 0; j < beta.Length; j++)
        {
            double b = beta[j];
            ReadOnlySpan<double> col = u.Slice(j * stride, rows);
            var vb = new Vector<double>(b);
            int i = 0;
            for (; i <= rows - vw; i += vw)
            {
                Vector.FusedMultiplyAdd(new Vector<double>(col[i..]), vb, new Vector<double>(d[i..])).CopyTo(d[i..]);
            }

            for (; i < rows; i++) d[i] = Math.FusedMultiplyAdd(col[i], b, d[i]);
        }
    }

    /// <summary>x[i] *= s[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale(Span<double> x, ReadOnlySpan<double> s)
    {
        int vw = Vector<double>.Count, i = 0;
        for (; i <= x.Length - vw; i += vw) (new Vector<double>(x[i..]) * new Vector<double>(s[i..])).CopyTo(x[i..]);
        for (; i < x.Length; i++) x[i] *= s[i];
    }
}

using System;
using System.Runtime.CompilerServices;

namespace NNLinearity.Numerics;

/// <summary>
/// Cholesky factorisation G = L L^T of a symmetric positive definite p x p matrix, in column order (no pivoting).
/// It records, for each column, the fraction of its weighted norm that is not explained by the columns before it
/// (sqrt(d_j / G_jj)); a small value means near-collinearity, where the normal equations lose accuracy.
/// </summary>
internal sealed class Cholesky
{
    private readonly double[,] _l;

    private Cholesky(double[,] l, double minRelativePivot)
    {
        _l = l;
        MinRelativePivot = minRelativePivot;
    }

    /// <summary>Smallest sqrt(d_j / G_jj) over the columns (0 when the matrix is singular).</summary>
    public double MinRelativePivot { get; }

    public int P => _l.GetLength(0);

    /// <summary>Factorises the lower triangle of <paramref name="g"/>; returns null when a pivot is not positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Cholesky? TryFactor(double[,] g)
    {
        int p = g.GetLength(0);
        double[,] l = new double[p, p];
        double minRatio = double.PositiveInfinity;
        for (int j = 0; j < p; j++)
        {
            double d = g[j, j];
            for (int k = 0; k < j; k++) d -= l[j, k] * l[j, k];
            if (!(d > 0) || !(g[j, j] > 0)) return null;
            minRatio = Math.Min(minRatio, Math.Sqrt(d / g[j, j]));
            double ljj = Math.Sqrt(d);
            l[j, j] = ljj;
            for (int i = j + 1; i < p; i++)
            {
                double s = g[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = s / ljj;
            }
        }

        return new Cholesky(l, p == 0 ? 1.0 : minRatio);
    }

    /// <summary>Solves G x = b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] Solve(ReadOnlySpan<double> b)
    {
        int p = P;
        double[] x = b.ToArray();
        for (int i = 0; i < p; i++)
        {
            double s = x[i];
            for (int k = 0; k < i; k++) s -= _l[i, k] * x[k];
            x[i] = s / _l[i, i];
        }

        for (int i = p - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int k = i + 1; k < p; k++) s -= _l[k, i] * x[k];
            x[i] = s / _l[i, i];
        }

        return x;
    }

    /// <summary>G^-1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[,] Inverse()
    {
        int p = P;
        double[,] inv = new double[p, p];
        double[] e = new double[p];
        for (int j = 0; j < p; j++)
        {
            Array.Clear(e);
            e[j] = 1.0;
            double[] col = Solve(e);
            for (int i = 0; i < p; i++) inv[i, j] = col[i];
        }

        // Symmetrise away rounding so that the covariance is exactly symmetric.
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < i; j++)
            {
                double m = 0.5 * (inv[i, j] + inv[j, i]);
                inv[i, j] = m;
                inv[j, i] = m;
            }
        }

        return inv;
    }
}

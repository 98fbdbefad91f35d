using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using MathNet.Numerics.LinearAlgebra;

namespace NNLinearity.Linearity;

/// <summary>The extreme eigenvalues Lanczos found and how far it went.</summary>
internal readonly record struct LanczosResult(double Min, double Max, int Steps, bool Exhausted);

/// <summary>The Rayleigh-Ritz eigenvalues of a symmetric operator on the range of its product with random probes.</summary>
internal readonly record struct RitzSpectrum(double[] Eigenvalues, int Rank, bool RankIsLowerBound, double FrobeniusNorm, double SpectralNorm, bool RankIsIllDetermined = false);

/// <summary>
/// Matrix-free spectra of symmetric operators given only as products H v: Lanczos with full reorthogonalisation for the
/// extreme eigenvalues, and a randomised range finder with a Rayleigh-Ritz step for the numerical rank and norms
/// (exact when the rank is below the number of probes: the probes' image is then the whole range).
/// </summary>
internal static class Spectra
{
    /// <summary>Numerical-rank threshold of eigenvalues relative to the largest: numpy's matrix_rank rule, p eps.</summary>
    public static double RankThreshold(int p) => p * 2.220446049250313e-16;

    /// <summary>
    /// Lanczos on <paramref name="apply"/> from a random start, at most <paramref name="maxSteps"/> steps (and never
    /// more than p). Stops early when the Krylov space is exhausted (then the extremes are exact to rounding), or when
    /// <paramref name="stopAbove"/> is finite and a Ritz value exceeds it (Ritz values never exceed the largest eigenvalue,
    /// so that proves the largest is above it).
    /// </summary>
    public static LanczosResult Lanczos(Action<double[], double[]> apply, int p, int maxSteps, Random rng, double stopAbove, CancellationToken cancellation)
    {
        int steps = Math.Min(maxSteps, p);
        var basis = new List<double[]>(steps);
        var alpha = new List<double>(steps);
        var beta = new List<double>(steps);
        double[] q = Gaussian(p, rng);
        Scale(q, 1 / Norm(q));
        var w = new double[p];
        double scale = 0;
        bool exhausted = false;
        double min = 0, max = 0;
        for (int j = 0; j < steps; j++)
        {
            cancellation.ThrowIfCancellationRequested();
            basis.Add(q);
            apply(q, w);
            double a = Dot(q, w);
            alpha.Add(a);
            // Full reorthogonalisation, twice (Kahan's "twice is enough"): the basis stays orthonormal to rounding.
            for (int pass = 0; pass < 2; pass++)
            {
                foreach (double[] b in basis) Axpy(-Dot(b, w), b, w);
            }

            double bnorm = Norm(w);
            scale = Math.Max(scale, Math.Max(Math.Abs(a), bnorm));
            bool last = j == steps - 1 || bnorm <= 1e-12 * scale || scale == 0;
            if (last || (double.IsFinite(stopAbove) && (j % 4 == 3)))
            {
                (min, max) = TridiagonalExtremes(alpha, beta);
                if (last)
                {
                    exhausted = bnorm <= 1e-12 * scale || scale == 0 || j == p - 1;
                    return new LanczosResult(min, max, j + 1, exhausted);
                }

                if (max > stopAbove) return new LanczosResult(min, max, j + 1, false);
            }

            beta.Add(bnorm);
            q = new double[p];
            for (int i = 0; i < p; i++) q[i] = w[i] / bnorm;
        }

        return new LanczosResult(min, max, steps, exhausted);
    }

    private static (double Min, double Max) TridiagonalExtremes(List<double> alpha, List<double> beta)
    {
        int k = alpha.Count;
        var t = Matrix<double>.Build.Dense(k, k);
        for (int i = 0; i < k; i++)
        {
            t[i, i] = alpha[i];
            if (i + 1 < k)
            {
                t[i, i + 1] = beta[i];
                t[i + 1, i] = beta[i];
            }
        }

        double[] eig = SymmetricEigenvalues(t);
        return (eig[0], eig[^1]);
    }

    /// <summary>Eigenvalues of a symmetric matrix, ascending.</summary>
    public static double[] SymmetricEigenvalues(Matrix<double> m)
    {
        double[] e = new double[m.RowCount];
        var values = m.Evd(Symmetricity.Symmetric).EigenValues;
        for (int i = 0; i < e.Length; i++) e[i] = values[i].Real;
        Array.Sort(e);
        return e;
    }

    /// <summary>
    /// The randomised range finder with a Rayleigh-Ritz step: Y = H Omega for <paramref name="probes"/> Gaussian probes
    /// (all of the space when probes >= p), an orthonormal basis Q of Y's numerical range (columns whose remainder after
    /// projection is below p eps of the largest are dropped), and the eigenvalues of Q^T H Q. k Gaussian probes capture
    /// min(rank H, k) directions of H's range, so when the rank found (eigenvalues above p eps of the largest) is below
    /// the number of probes (a column was dropped, or a kept column carried only rounding), or the probes span the
    /// space, the range is H's and the rank and the norms are exact; when it reaches the probes they are lower bounds.
    /// </summary>
    public static RitzSpectrum RayleighRitz(Action<double[], double[]> apply, int p, int probes, Random rng, CancellationToken cancellation)
    {
        int k = Math.Min(probes, p);
        bool whole = k == p;
        var basis = new List<double[]>(k);
        double largest = 0;
        for (int c = 0; c < k; c++)
        {
            cancellation.ThrowIfCancellationRequested();
            double[] omega = whole ? Unit(p, c) : Gaussian(p, rng);
            var y = new double[p];
            apply(omega, y);
            double before = Norm(y);
            largest = Math.Max(largest, before);
            for (int pass = 0; pass < 2; pass++)
            {
                foreach (double[] b in basis) Axpy(-Dot(b, y), b, y);
            }

            double after = Norm(y);
            if (after <= RankThreshold(p) * largest || after == 0) continue; // nothing new: H's range has fewer directions

            Scale(y, 1 / after);
            basis.Add(y);
        }

        int r = basis.Count;
        if (r == 0) return new RitzSpectrum([], 0, false, 0, 0);
        var t = Matrix<double>.Build.Dense(r, r);
        var hq = new double[p];
        for (int j = 0; j < r; j++)
        {
            cancellation.ThrowIfCancellationRequested();
            apply(basis[j], hq);
            for (int i = 0; i < r; i++) t[i, j] = Dot(basis[i], hq);
        }

        t = 0.5 * (t + t.Transpose());
        double[] eig = SymmetricEigenvalues(t);
        double top = 0, sumSquares = 0;
        foreach (double e in eig)
        {
            top = Math.Max(top, Math.Abs(e));
            sumSquares += e * e;
        }

        (int rank, bool ill) = EigenvalueRank(eig, top * RankThreshold(p));
        return new RitzSpectrum(eig, rank, !whole && rank >= k, Math.Sqrt(sumSquares), top, ill);
    }

    /// <summary>
    /// The number of eigenvalues above <paramref name="threshold"/> in magnitude, and whether that count is
    /// ill-determined: the smallest counted is less than <see cref="RankGap"/> times the threshold or the largest not
    /// counted, so that rounding in the matrix could move it across.
    /// </summary>
    public static (int Rank, bool IllDetermined) EigenvalueRank(ReadOnlySpan<double> eigenvalues, double threshold)
    {
        int rank = 0;
        double smallestKept = double.PositiveInfinity, largestDropped = 0;
        foreach (double e in eigenvalues)
        {
            double a = Math.Abs(e);
            if (a > threshold)
            {
                rank++;
                smallestKept = Math.Min(smallestKept, a);
            }
            else
            {
                largestDropped = Math.Max(largestDropped, a);
            }
        }

        return (rank, rank > 0 && smallestKept < RankGap * Math.Max(largestDropped, threshold));
    }

    /// <summary>
    /// A rank is well determined when its smallest counted singular value is at least this many times the threshold
    /// and the largest dropped one. Entries computed through several layers carry rounding of about 1e-15 to 1e-14 of
    /// the largest singular value, near numpy's threshold, so a value within three orders of magnitude of it may be
    /// either.
    /// </summary>
    public const double RankGap = 1000;

    /// <summary>Largest block (rows x columns) whose rank is taken from its singular values; larger ones use the Gram matrix.</summary>
    public const int SvdRankLimit = 1 << 18;

    /// <summary>
    /// Numerical rank, Frobenius norm and largest entry of a matrix given by its columns' slices [start, start + length).
    /// Up to <see cref="SvdRankLimit"/> entries, from the singular values with numpy's rule (above max(rows, columns)
    /// eps of the largest); larger blocks from the Gram matrix's eigenvalues above 1e-14 of the largest (singular
    /// values above 1e-7 of the largest: the Gram matrix resolves no finer). The rank is ill-determined when the
    /// smallest singular value counted is less than <see cref="RankGap"/> times the threshold or the largest value
    /// not counted: rounding in the matrix's entries can then move a value across the threshold.
    /// </summary>
    public static (int Rank, double Frobenius, double MaxEntry, bool IllDetermined) ColumnRank(IReadOnlyList<double[]> columns, int start, int length)
    {
        int k = columns.Count;
        double maxEntry = 0, sumSquares = 0;
        for (int i = 0; i < k; i++)
        {
            foreach (double v in columns[i].AsSpan(start, length))
            {
                maxEntry = Math.Max(maxEntry, Math.Abs(v));
                sumSquares += v * v;
            }
        }

        if (maxEntry == 0) return (0, 0, 0, false);
        int rank = 0;
        if ((long)length * k <= SvdRankLimit)
        {
            // The singular values of the thin QR's R are the block's (Householder QR is backward stable).
            var m = Matrix<double>.Build.Dense(length, k, (i, j) => columns[j][start + i]);
            var r = length > k ? m.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).R : m;
            var sv = r.Svd(computeVectors: false).S;
            double top = sv.AbsoluteMaximum(), tol = top * Math.Max(length, k) * 2.220446049250313e-16;
            double smallestKept = double.PositiveInfinity, largestDropped = 0;
            foreach (double v in sv)
            {
                if (v > tol)
                {
                    rank++;
                    smallestKept = Math.Min(smallestKept, v);
                }
                else
                {
                    largestDropped = Math.Max(largestDropped, v);
                }
            }

            return (rank, Math.Sqrt(sumSquares), maxEntry, (smallestKept < RankGap * Math.Max(largestDropped, tol)));
        }

        var g = Matrix<double>.Build.Dense(k, k);
        for (int i = 0; i < k; i++)
        {
            ReadOnlySpan<double> ci = columns[i].AsSpan(start, length);
            for (int j = 0; j <= i; j++)
            {
                double d = Dot(ci, columns[j].AsSpan(start, length));
                g[i, j] = d;
                g[j, i] = d;
            }
        }

        double[] eig = SymmetricEigenvalues(g);
        double smallestKeptSquare = double.PositiveInfinity, largestDroppedSquare = 0, tolSquare = 1e-14 * eig[^1];
        foreach (double e in eig)
        {
            if (e > tolSquare)
            {
                rank++;
                smallestKeptSquare = Math.Min(smallestKeptSquare, e);
            }
            else
            {
                largestDroppedSquare = Math.Max(largestDroppedSquare, e);
            }
        }

        // The Gram matrix's eigenvalues are the squared singular values.
        return (rank, Math.Sqrt(sumSquares), maxEntry, (smallestKeptSquare < RankGap * RankGap * Math.Max(largestDroppedSquare, tolSquare)));
    }

    public static double[] Gaussian(int p, Random rng)
    {
        var v = new double[p];
        for (int i = 0; i < p; i++) v[i] = Normal(rng);
        return v;
    }

    public static double Normal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double[] Unit(int p, int i)
    {
        var v = new double[p];
        v[i] = 1;
        return v;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = a.Length, i = 0;
        var acc0 = System.Numerics.Vector<double>.Zero;
        var acc1 = System.Numerics.Vector<double>.Zero;
        int w = System.Numerics.Vector<double>.Count;
        ReadOnlySpan<System.Numerics.Vector<double>> va = MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(a), vb = MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(b[..n]);
        int j = 0;
        for (; j + 1 < va.Length; j += 2)
        {
            acc0 += va[j] * vb[j];
            acc1 += va[j + 1] * vb[j + 1];
        }

        if (j < va.Length) acc0 += va[j] * vb[j];
        i = va.Length * w;
        double s = System.Numerics.Vector.Sum(acc0 + acc1);
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }

    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length;
        ReadOnlySpan<System.Numerics.Vector<double>> vx = MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(x);
        Span<System.Numerics.Vector<double>> vy = MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(y[..n]);
        var va = new System.Numerics.Vector<double>(alpha);
        for (int j = 0; j < vx.Length; j++) vy[j] += va * vx[j];
        for (int i = vx.Length * System.Numerics.Vector<double>.Count; i < n; i++) y[i] += alpha * x[i];
    }

    public static double Norm(ReadOnlySpan<double> a) => Math.Sqrt(Dot(a, a));

    private static void Scale(double[] a, double s)
    {
        for (int i = 0; i < a.Length; i++) a[i] *= s;
    }
}

using System;

namespace NNLinearity.Numerics;

/// <summary>
/// Householder QR with R's limited column pivoting (LINPACK dqrdc2 as used by R's lm and glm): columns are kept in
/// their order except that a column whose norm, after removing the previous columns, falls below
/// <c>tol</c> times its original norm is moved to the end. The columns left at the end are aliased; the rank is the
/// number before them.
/// </summary>
internal sealed class PivotedQr
{
    private readonly double[] _qr;   // column-major n x p; R in the upper triangle, Householder vectors below
    private readonly double[] _qraux;
    private readonly int _n;

    public PivotedQr(double[] columnMajor, int n, int p, double tol)
    {
        _qr = columnMajor;
        _n = n;
        P = p;
        _qraux = new double[p];
        Pivot = new int[p];
        Rank = Factor(columnMajor, n, p, tol, _qraux, Pivot);
    }

    /// <summary>Number of columns.</summary>
    public int P { get; }

    /// <summary>Numerical rank (the first <see cref="Rank"/> pivoted columns are linearly independent).</summary>
    public int Rank { get; }

    /// <summary>Pivot[k] is the original index of the k-th column of the factorisation.</summary>
    public int[] Pivot { get; }

    /// <summary>R[i, j] (upper triangle, pivoted order).</summary>
    public double R(int i, int j) => _qr[j * _n + i];

    /// <summary>Overwrites <paramref name="v"/> (length n) with Q^T v.</summary>
    public void ApplyQt(Span<double> v)
    {
        int steps = Math.Min(Rank, _n - 1);
        for (int l = 0; l < steps; l++)
        {
            double ql = _qraux[l];
            if (ql == 0) continue;
            ReadOnlySpan<double> h = _qr.AsSpan(l * _n + l, _n - l);
            Span<double> t = v[l..];
            // The stored vector has h[0] replaced by R's diagonal; the Householder vector's first entry is qraux[l].
            double dot = ql * t[0];
            for (int i = 1; i < h.Length; i++) dot += h[i] * t[i];
            double s = -dot / ql;
            t[0] += s * ql;
            for (int i = 1; i < h.Length; i++) t[i] += s * h[i];
        }
    }

    /// <summary>Least-squares coefficients in original column order; aliased columns get NaN.</summary>
    public double[] Solve(ReadOnlySpan<double> rhs)
    {
        double[] qty = rhs.ToArray();
        ApplyQt(qty);
        double[] b = new double[Rank];
        for (int i = Rank - 1; i >= 0; i--)
        {
            double s = qty[i];
            for (int j = i + 1; j < Rank; j++) s -= R(i, j) * b[j];
            b[i] = s / R(i, i);
        }

        double[] coef = new double[P];
        coef.AsSpan().Fill(double.NaN);
        for (int k = 0; k < Rank; k++) coef[Pivot[k]] = b[k];
        return coef;
    }

    /// <summary>(R11^T R11)^-1 for the leading Rank x Rank block, scattered to original order (NaN rows/columns for aliased ones).</summary>
    public double[,] UnscaledCovariance()
    {
        int r = Rank;
        double[,] rinv = new double[r, r];
        for (int j = 0; j < r; j++)
        {
            rinv[j, j] = 1.0 / R(j, j);
            for (int i = j - 1; i >= 0; i--)
            {
                double s = 0;
                for (int k = i + 1; k <= j; k++) s += R(i, k) * rinv[k, j];
                rinv[i, j] = -s / R(i, i);
            }
        }

        double[,] cov = new double[P, P];
        for (int i = 0; i < P; i++)
        {
            for (int j = 0; j < P; j++) cov[i, j] = double.NaN;
        }

        for (int a = 0; a < r; a++)
        {
            for (int b = 0; b < r; b++)
            {
                double s = 0;
                for (int k = Math.Max(a, b); k < r; k++) s += rinv[a, k] * rinv[b, k];
                cov[Pivot[a], Pivot[b]] = s;
            }
        }

        return cov;
    }

    private static int Factor(double[] x, int n, int p, double tol, double[] qraux, int[] jpvt)
    {
        double[] work1 = new double[p];
        double[] work2 = new double[p];
        for (int j = 0; j < p; j++)
        {
            jpvt[j] = j;
            double nrm = Norm(x.AsSpan(j * n, n));
            qraux[j] = nrm;
            work1[j] = nrm;
            work2[j] = nrm == 0 ? 1.0 : nrm;
        }

        int lup = Math.Min(n, p);
        int k = p; // columns [k, p) have been moved to the end as negligible
        double[] tmpCol = new double[n];
        for (int l = 0; l < lup; l++)
        {
            while (l < k && qraux[l] < work2[l] * tol)
            {
                // Move column l to the end, shifting the others left.
                x.AsSpan(l * n, n).CopyTo(tmpCol);
                Array.Copy(x, (l + 1) * n, x, l * n, (p - l - 1) * n);
                tmpCol.CopyTo(x.AsSpan((p - 1) * n, n));
                Rotate(jpvt, l, p);
                Rotate(qraux, l, p);
                Rotate(work1, l, p);
                Rotate(work2, l, p);
                k--;
            }

            if (l == n - 1) break;

            Span<double> xl = x.AsSpan(l * n + l, n - l);
            double nrmxl = Norm(xl);
            if (nrmxl == 0) continue;
            if (xl[0] != 0) nrmxl = Math.CopySign(nrmxl, xl[0]);
            double inv = 1.0 / nrmxl;
            for (int i = 0; i < xl.Length; i++) xl[i] *= inv;
            xl[0] = 1.0 + xl[0];

            for (int j = l + 1; j < p; j++)
            {
                Span<double> xj = x.AsSpan(j * n + l, n - l);
                double dot = 0;
                for (int i = 0; i < xl.Length; i++) dot += xl[i] * xj[i];
                double t = -dot / xl[0];
                for (int i = 0; i < xl.Length; i++) xj[i] += t * xl[i];
                if (qraux[j] != 0)
                {
                    double tt = 1.0 - (Math.Abs(xj[0]) / qraux[j]) * (Math.Abs(xj[0]) / qraux[j]);
                    tt = Math.Max(tt, 0.0);
                    if (Math.Abs(tt) < 1e-6)
                    {
                        qraux[j] = Norm(xj[1..]);
                        work1[j] = qraux[j];
                    }
                    else
                    {
                        qraux[j] *= Math.Sqrt(tt);
                    }
                }
            }

            qraux[l] = xl[0];
            xl[0] = -nrmxl;
        }

        return Math.Min(k, n);
    }

    private static void Rotate<T>(T[] a, int l, int p)
    {
        T t = a[l];
        Array.Copy(a, l + 1, a, l, p - l - 1);
        a[p - 1] = t;
    }

    /// <summary>Euclidean norm with scaling (no overflow or underflow in the squares), as BLAS dnrm2.</summary>
    internal static double Norm(ReadOnlySpan<double> v)
    {
        double scale = 0, ssq = 1;
        foreach (double x in v)
        {
            if (x == 0) continue;
            double a = Math.Abs(x);
            if (scale < a)
            {
                double r = scale / a;
                ssq = 1 + ssq * r * r;
                scale = a;
            }
            else
            {
                double r = a / scale;
                ssq += r * r;
            }
        }

        return scale * Math.Sqrt(ssq);
    }
}

using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace NNLinearity.Kernels;

/// <summary>Vectorised inverse links (double), built on <see cref="VectorMath"/>.</summary>
internal static class LinkKernels
{
    /// <summary>
    /// The logistic mean and its derivative: e = exp(-|eta|), p = 1 / (1 + e), mu = p for eta &gt;= 0 and e p otherwise,
    /// dmu/deta = e p^2 (no 1 - mu cancellation in either tail). Either destination may be empty to skip it; mu may be
    /// the same memory as eta.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Logit(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta)
    {
        int n = eta.Length, vw = Vector<double>.Count;
        bool wantMu = !mu.IsEmpty || n == 0, wantD = !dMuDEta.IsEmpty || n == 0;
        if (wantMu && mu.Length < n) throw new ArgumentException($"Destination length {mu.Length} is shorter than the source length {n}.", nameof(mu));
        if (wantD && dMuDEta.Length < n) throw new ArgumentException($"Destination length {dMuDEta.Length} is shorter than the source length {n}.", nameof(dMuDEta));
        if (n < vw)
        {
            for (int i = 0; i < n; i++)
            {
                double e = Math.Exp(-Math.Abs(eta[i]));
                double p = 1.0 / (1.0 + e);
                if (wantD) dMuDEta[i] = e * p * p;
                if (wantMu) mu[i] = eta[i] >= 0 ? p : e * p;
            }

            return;
        }

        // The last full vector is computed before anything is stored, so that mu may alias eta.
        Compute(new Vector<double>(eta[(n - vw)..]), out Vector<double> lastMu, out Vector<double> lastD);
        for (int i = 0; i <= n - vw; i += vw)
        {
            Compute(new Vector<double>(eta[i..]), out Vector<double> m, out Vector<double> d);
            if (wantD) d.CopyTo(dMuDEta[i..]);
            if (wantMu) m.CopyTo(mu[i..]);
        }

        if (wantD) lastD.CopyTo(dMuDEta[(n - vw)..]);
        if (wantMu) lastMu.CopyTo(mu[(n - vw)..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compute(Vector<double> x, out Vector<double> mu, out Vector<double> d)
    {
        Vector<double> e = VectorMath.Exp(-Vector.Abs(x));
        Vector<double> p = Vector<double>.One / (Vector<double>.One + e);
        Vector<double> ep = e * p;
        d = ep * p;
        mu = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), p, ep);
    }
}
